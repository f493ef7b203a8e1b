/**
 * The slice of IAM policy evaluation a Lambda authorizer's `policyDocument` needs: explicit `Deny` wins, then
 * any `Allow`, else an implicit deny. `Action` and `Resource` support `*` and `?` wildcards.
 *
 * @module
 */

/** The evaluation result; `invalid` means the document is not a policy at all (API Gateway answers 500). */
export type PolicyVerdict = 'allow' | 'deny' | 'invalid';

/** Evaluates `policyDocument` for one action on one resource ARN. */
export function evaluatePolicy(document: unknown, action: string, resource: string): PolicyVerdict {
  if (!isRecord(document)) return 'invalid';
  const raw = document.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  let allowed = false;
  for (const statement of statements) {
    if (!isRecord(statement)) return 'invalid';
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return 'invalid';
    // IAM action names are case-insensitive; resource ARNs are not.
    const applies =
      matchesAny(statement.Action, action, true) && matchesAny(statement.Resource, resource, false);
    if (!applies) continue;
    if (effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}

function matchesAny(patterns: unknown, value: string, ignoreCase: boolean): boolean {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  return list.some((pattern) => typeof pattern === 'string' && wildcard(pattern, ignoreCase).test(value));
}

function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
