/**
 * What cdk-nag's AwsSolutions checks find under a construct, as `{ id, path }` pairs.
 *
 * @module
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One finding: the rule (with its finding suffix) and the resource it is on. */
export interface Finding {
  readonly id: string;
  readonly path: string;
}

/** The unacknowledged AwsSolutions findings under `scope`. */
export function findings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}
