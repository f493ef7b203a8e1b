/**
 * One route's Lambda function with everything it owns: its log group (retention and removal policy set, rather
 * than the never-expiring group Lambda would create on first log) and its own role, which may write to that
 * log group and nothing else until the route's grants are added.
 *
 * @module
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from './bundling.js';
import { LOCK_FILE, PROJECT_ROOT } from './paths.js';

/** Properties of a {@link RouteFunction}. */
export interface RouteFunctionProps {
  /** Absolute path of the handler source (it exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Applies to the log group. */
  readonly removalPolicy: RemovalPolicy;
}

/** A NodejsFunction on Node.js 24 / arm64 with its own log group and a role scoped to that log group. */
export class RouteFunction extends Construct {
  /** The function. */
  public readonly function: NodejsFunction;
  /** Where the function logs. */
  public readonly logGroup: LogGroup;
  /** The execution role; grants for the route are added to it. */
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole, whose logs:* statements
    // apply to every log group in the account.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: { ...props.environment },
      logGroup: this.logGroup,
      role: this.role,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      bundling: LAMBDA_BUNDLING,
    });
  }
}
