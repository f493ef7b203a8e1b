import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { realtimeApiNagAcknowledgements } from '../../lib/nag-acknowledgements.js';
import { RealtimeApi } from '../../lib/realtime-api.js';
import { findings } from './nag-findings.js';
import { synthRealtimeStack, testApp } from './synth.js';

/** Every acknowledgement recorded in the tree, as `{ id, reason, path }`. */
function recordedAcknowledgements(scope: IConstruct): { id: string; reason: unknown; path: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

function within(path: string, scopePath: string): boolean {
  return path === scopePath || path.startsWith(`${scopePath}/`);
}

// GIVEN the stack for two stages (the acknowledged ids depend on the stage name), and the bare construct in a
// stack that applies no acknowledgements. Built at load time: the first construct loads most of aws-cdk-lib.
const stacks = { prod: synthRealtimeStack().stack, dev: synthRealtimeStack({ stageName: 'dev' }).stack };
const bareStack = new Stack(testApp(), 'Bare');
const bare = new RealtimeApi(bareStack, 'RealtimeApi');

// cdk-nag loads its rule modules on first use, which can take seconds on a busy machine.
describe('cdk-nag AwsSolutions', { timeout: 30_000 }, () => {
  it.each(['prod', 'dev'] as const)(
    'leaves no unacknowledged finding on the stack for stage %s',
    (stageName) => {
      expect(findings(stacks[stageName])).toEqual([]);
    },
  );

  it('finds exactly what the acknowledgements cover on the bare construct', () => {
    // WHEN
    const found = findings(bareStack);
    const acknowledgements = realtimeApiNagAcknowledgements(bare);
    // THEN every acknowledgement matches a real finding under its scope (no stale or misspelt id) …
    for (const acknowledgement of acknowledgements) {
      const scopePath = acknowledgement.scope.node.path;
      expect(
        found.filter((finding) => finding.id === acknowledgement.id && within(finding.path, scopePath)),
      ).not.toEqual([]);
    }
    // … and every finding is covered by one (nothing fixable was waved through by a broad acknowledgement).
    for (const finding of found) {
      const covering = acknowledgements.filter(
        (acknowledgement) =>
          acknowledgement.id === finding.id && within(finding.path, acknowledgement.scope.node.path),
      );
      expect(covering, `${finding.id} on ${finding.path}`).toHaveLength(1);
    }
    expect(found.map((finding) => finding.id.replace(/\[.*$/, ''))).not.toContain('AwsSolutions-L1');
    expect(found.map((finding) => finding.id.replace(/\[.*$/, ''))).not.toContain('AwsSolutions-APIG1');
  });

  it('names an exact finding id and a reason in every acknowledgement the stack records', () => {
    const recorded = recordedAcknowledgements(stacks.prod);
    expect(recorded.length).toBeGreaterThan(0);
    for (const { id, reason } of recorded) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[[A-Za-z]+::.+\])?$/);
      expect(typeof reason === 'string' && reason.length >= 40, `reason of ${id}`).toBe(true);
    }
    const wildcard = recorded.filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));
    expect(wildcard.map(({ id }) => id)).toEqual(
      wildcard.map(() =>
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::.*\/prod\/(\*|DELETE)\/@connections\/\*\]$/),
      ),
    );
  });
});
