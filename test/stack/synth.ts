/**
 * Builds the stack for template tests without bundling the handlers (`aws:cdk:bundling-stacks: []`), and
 * reads the template the way the tests need it: logical ids of constructs, the IAM statements of a role.
 *
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { RealtimeStack, type RealtimeStackProps } from '../../lib/realtime-stack.js';

/** A synthesized stack and its template. */
export interface Synthesized {
  readonly stack: RealtimeStack;
  readonly template: Template;
}

/**
 * One output directory per test process, inside the run's temporary root (see temp-root-setup.ts, which removes
 * it): an `App` without `outdir` would leave a fresh `cdk.outXXXX` folder in the system temp folder per test.
 */
const outdir = mkdtempSync(join(process.env.REALTIME_TEST_TMP ?? tmpdir(), 'app-'));

/** An `App` that skips asset bundling and writes into this process's temporary output directory. */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, outdir, context: { 'aws:cdk:bundling-stacks': [], ...props.context } });
}

/** Synthesizes a {@link RealtimeStack} with the given props and no asset bundling. */
export function synthRealtimeStack(props: RealtimeStackProps = {}): Synthesized {
  const stack = new RealtimeStack(testApp(), 'TestStack', props);
  return { stack, template: Template.fromStack(stack) };
}

/** Logical id of a construct's CloudFormation resource (the construct itself or its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const id: unknown = Stack.of(construct).resolve(element.logicalId);
  if (typeof id !== 'string') throw new Error(`no logical id for ${construct.node.path}`);
  return id;
}

/** One IAM policy statement as it appears in the template. */
export interface TemplateStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every IAM statement attached (through `AWS::IAM::Policy`) to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): TemplateStatement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[]);
}

/** Every IAM statement of every policy in the template. */
export function allStatements(template: Template): TemplateStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as TemplateStatement[],
  );
}

/** A statement's actions as an array. */
export function actionsOf(statement: TemplateStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
