/**
 * Reads the CDK context keys the app understands (`-c stage=dev -c removalPolicy=destroy
 * -c cloudWatchRole=true -c auth=false -c publicChannels=news,public-*`) and turns them into stack settings, rejecting values it cannot honour with a message
 * that shows them.
 *
 * @module
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** Stage used when the `stage` context key is absent; the only stage whose stack id has no suffix. */
export const DEFAULT_STAGE = 'prod';

/** Base id (and CloudFormation name) of the stack. */
export const STACK_BASE_ID = 'RealtimeWebSocketApi';

/** The app's stage doubles as part of the stack name, which allows only letters, digits and '-'. */
const APP_STAGE = /^[A-Za-z0-9-]{1,100}$/;

const REMOVAL_POLICIES: Readonly<Record<string, RemovalPolicy>> = {
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
};

const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false };

/** What the app builds, decided from context. */
export interface AppSettings {
  /** Stack id: `RealtimeWebSocketApi` for `prod`, `RealtimeWebSocketApi-<stage>` otherwise. */
  readonly stackId: string;
  readonly stageName: string;
  readonly removalPolicy: RemovalPolicy;
  /** Whether to register API Gateway's account-wide logging role (`RealtimeApiProps.cloudWatchRole`). */
  readonly cloudWatchRole: boolean;
  /** Whether to host the demo page (S3 + CloudFront): `-c demo=true|false`, on by default except for `prod`. */
  readonly demo: boolean;
  /**
   * Whether connections need a token (`-c auth=true|false`, default `true`). `false` is for a public demo
   * stage: anyone who knows the URL may connect and use every channel.
   */
  readonly auth: boolean;
  /** `RealtimeApiProps.publicChannels`: `-c publicChannels=news,public-*` (comma-separated), default none. */
  readonly publicChannels: readonly string[];
  /**
   * `-c alarmEmail=ops@example.com`: every alarm notifies this address through a new SNS topic
   * (`RealtimeApiProps.observability.alarmEmail`); unset, alarms notify nobody.
   */
  readonly alarmEmail?: string;
}

/** Thrown when a context value is not one the app accepts. */
export class AppContextError extends Error {
  override readonly name = 'AppContextError';
}

/**
 * Reads `stage` (default `prod`), `removalPolicy` (`retain` | `destroy`; default `retain` for `prod` and
 * `destroy` for any other stage, so throwaway stages clean up after themselves), `cloudWatchRole`
 * (`true` | `false`, default `false`: leave the account's API Gateway logging role as it is), `demo`, `auth`
 * (`true` | `false`, default `true`) and `publicChannels` (comma-separated patterns, checked by the construct).
 *
 * @throws AppContextError on an invalid stage, removal policy, cloudWatchRole, demo or auth
 */
export function readAppSettings(node: Node): AppSettings {
  const stageName = readString(node, 'stage') ?? DEFAULT_STAGE;
  if (!APP_STAGE.test(stageName)) {
    throw new AppContextError(
      `Invalid context stage=${JSON.stringify(stageName)}: expected 1-100 letters, digits or '-' ` +
        '(the stage is part of the stack name)',
    );
  }
  const policyName =
    readString(node, 'removalPolicy') ?? (stageName === DEFAULT_STAGE ? 'retain' : 'destroy');
  const removalPolicy = REMOVAL_POLICIES[policyName];
  if (removalPolicy === undefined) {
    throw new AppContextError(
      `Invalid context removalPolicy=${JSON.stringify(policyName)}: expected "retain" or "destroy"`,
    );
  }
  const roleFlag = readString(node, 'cloudWatchRole') ?? 'false';
  const cloudWatchRole = BOOLEANS[roleFlag];
  if (cloudWatchRole === undefined) {
    throw new AppContextError(
      `Invalid context cloudWatchRole=${JSON.stringify(roleFlag)}: expected "true" or "false"`,
    );
  }
  const stackId = stageName === DEFAULT_STAGE ? STACK_BASE_ID : `${STACK_BASE_ID}-${stageName}`;
  const demoFlag = readString(node, 'demo') ?? String(stageName !== DEFAULT_STAGE);
  const demo = BOOLEANS[demoFlag];
  if (demo === undefined) {
    throw new AppContextError(`Invalid context demo=${JSON.stringify(demoFlag)}: expected "true" or "false"`);
  }
  const authFlag = readString(node, 'auth') ?? 'true';
  const auth = BOOLEANS[authFlag];
  if (auth === undefined) {
    throw new AppContextError(`Invalid context auth=${JSON.stringify(authFlag)}: expected "true" or "false"`);
  }
  const publicChannels = (readString(node, 'publicChannels') ?? '')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  const alarmEmail = readString(node, 'alarmEmail');
  return {
    stackId,
    stageName,
    removalPolicy,
    cloudWatchRole,
    demo,
    auth,
    publicChannels,
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}

/** A context value as a string; numbers and booleans (e.g. from cdk.json) are stringified. */
function readString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
