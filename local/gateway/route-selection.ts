/**
 * Route selection for incoming messages, as API Gateway evaluates `RouteSelectionExpression` on the body.
 *
 * @module
 */
import type { RouteModel } from '../model.js';

/** Picks the route key from a message body, or `undefined` when the expression yields no string. */
export type RouteKeySelector = (body: string) => string | undefined;

/** The fallback route for anything that selects no route of its own. */
export const DEFAULT_ROUTE = '$default';

/** Routes that only the connection lifecycle reaches; a message can never select them. */
const LIFECYCLE_ROUTES = new Set(['$connect', '$disconnect']);

const EXPRESSION = /^(?:\$request\.body\.([^\s{}]+)|\$\{request\.body\.([^\s{}]+)\})$/;

/**
 * Compiles `$request.body.<dot.path>` (or `${request.body.<dot.path>}`). Throws for any other form, since the
 * gateway could not route anything with it.
 */
export function compileRouteSelection(expression: string): RouteKeySelector {
  const match = EXPRESSION.exec(expression.trim());
  const path = (match?.[1] ?? match?.[2])?.split('.');
  if (!path || path.some((segment) => segment === '')) {
    throw new Error(
      `Unsupported route selection expression "${expression}": the local gateway supports ` +
        '"$request.body.<property>" (dot paths allowed), e.g. "$request.body.action".',
    );
  }
  return (body) => selectedValue(body, path);
}

/**
 * The route a message goes to: the route whose key the expression selected, else `$default`, else none.
 * API Gateway falls back to `$default` for a body that is not JSON, not an object, or whose selected value is
 * missing or not a string.
 */
export function selectRoute(
  routes: ReadonlyMap<string, RouteModel>,
  selector: RouteKeySelector,
  body: string,
): RouteModel | undefined {
  const key = selector(body);
  const selected = key === undefined || LIFECYCLE_ROUTES.has(key) ? undefined : routes.get(key);
  return selected ?? routes.get(DEFAULT_ROUTE);
}

function selectedValue(body: string, path: readonly string[]): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return typeof value === 'string' ? value : undefined;
}
