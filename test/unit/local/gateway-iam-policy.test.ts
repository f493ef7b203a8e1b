import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../local/gateway/iam-policy.js';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:abcdef1234/prod/$connect';

function statement(Effect: string, Resource: unknown = ARN, Action: unknown = 'execute-api:Invoke') {
  return { Effect, Action, Resource };
}

describe('evaluatePolicy', () => {
  it('allows when a statement allows the action on the resource', () => {
    // Act / Assess
    expect(evaluatePolicy({ Statement: [statement('Allow')] }, 'execute-api:Invoke', ARN)).toBe('allow');
    expect(evaluatePolicy({ Statement: statement('Allow') }, 'execute-api:Invoke', ARN)).toBe('allow');
  });

  it('matches * and ? wildcards in resources and case-insensitive actions', () => {
    // Prepare
    const document = {
      Statement: [statement('Allow', ['arn:aws:execute-api:*:*:abcdef123?/prod/*'], 'Execute-API:*')],
    };

    // Act / Assess
    expect(evaluatePolicy(document, 'execute-api:Invoke', ARN)).toBe('allow');
  });

  it('lets an explicit Deny win over an Allow', () => {
    // Prepare
    const document = { Statement: [statement('Allow', '*'), statement('Deny')] };

    // Act / Assess
    expect(evaluatePolicy(document, 'execute-api:Invoke', ARN)).toBe('deny');
  });

  it('denies implicitly when nothing allows the resource', () => {
    // Prepare
    const document = {
      Statement: [statement('Allow', 'arn:aws:execute-api:us-east-1:000000000000:other/*')],
    };

    // Act / Assess
    expect(evaluatePolicy(document, 'execute-api:Invoke', ARN)).toBe('deny');
    expect(evaluatePolicy({ Statement: [] }, 'execute-api:Invoke', ARN)).toBe('deny');
  });

  it('calls a document without proper statements invalid', () => {
    // Act / Assess
    expect(evaluatePolicy(undefined, 'execute-api:Invoke', ARN)).toBe('invalid');
    expect(evaluatePolicy({ Statement: [statement('Maybe')] }, 'execute-api:Invoke', ARN)).toBe('invalid');
    expect(evaluatePolicy({ Statement: ['Allow'] }, 'execute-api:Invoke', ARN)).toBe('invalid');
  });
});
