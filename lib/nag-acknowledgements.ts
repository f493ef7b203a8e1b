/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each with its exact finding id and the reason.
 * Everything else the checks flag is fixed in the construct instead (Node.js 24 runtime, stage access
 * logging, per-function log groups and roles instead of AWSLambdaBasicExecutionRole, exact DynamoDB actions
 * and index ARN).
 *
 * @module
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { API_GATEWAY_LOGS_POLICY } from './api-gateway-account.js';
import type { DemoSite } from './demo-site.js';
import type { RealtimeApi } from './realtime-api.js';
import { ROUTES } from './routes.js';

/** One acknowledgement: the finding id, on which construct (it covers its whole subtree), and why. */
export interface NagAcknowledgement {
  readonly scope: IConstruct;
  readonly id: string;
  readonly reason: string;
}

const CONNECT_AUTHORIZATION =
  'Deployed with auth=false, a public demo stage: anyone who knows the URL may connect, read and write every ' +
  'channel and broadcast. With auth on (the default) $connect has the Lambda REQUEST authorizer instead.';
const MESSAGE_ROUTE_AUTHORIZATION =
  'API Gateway WebSocket APIs authorize only the $connect route; message and $disconnect routes cannot have ' +
  'an authorizer and run on the connection $connect accepted.';

/** The acknowledgements for one {@link RealtimeApi}, to apply with {@link applyNagAcknowledgements}. */
export function realtimeApiNagAcknowledgements(realtime: RealtimeApi): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  for (const [routeKey, route] of Object.entries(realtime.routes)) {
    // With auth on, $connect has its authorizer and no finding to acknowledge.
    if (routeKey === '$connect' && realtime.auth) continue;
    acknowledgements.push({
      scope: route,
      id: 'AwsSolutions-APIG4',
      reason: routeKey === '$connect' ? CONNECT_AUTHORIZATION : MESSAGE_ROUTE_AUTHORIZATION,
    });
  }

  const connectionsArn = manageConnectionsFindingResource(realtime);
  for (const route of ROUTES.filter((definition) => definition.access.manageConnections)) {
    const role = realtime.functions[route.handler]?.role;
    if (role) {
      acknowledgements.push({
        scope: role,
        id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
        reason:
          'execute-api:ManageConnections on this API and stage only; connection ids are created at runtime, ' +
          'so the resource must end in @connections/*.',
      });
    }
  }

  const closeArn = manageConnectionsFindingResource(realtime, 'DELETE');
  for (const route of ROUTES.filter((definition) => definition.access.closeConnections === true)) {
    const role = realtime.functions[route.handler]?.role;
    if (role) {
      acknowledgements.push({
        scope: role,
        id: `AwsSolutions-IAM5[Resource::${closeArn}]`,
        reason:
          'execute-api:ManageConnections for DELETE only, on this API and stage, to close a connection that keeps ' +
          'exceeding its rate limit; connection ids are created at runtime, so the resource ends in @connections/*.',
      });
    }
  }

  // The reaper posts the `leave` of expired presence items to the channel's members, like a fan-out route.
  const reaperRole = realtime.reaper.role;
  if (reaperRole) {
    acknowledgements.push({
      scope: reaperRole,
      id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
      reason:
        'execute-api:ManageConnections on this API and stage only, for the reaper announcing expired ' +
        'presence; connection ids are created at runtime, so the resource must end in @connections/*.',
    });
  }

  const tokenSecret = realtime.auth?.createdSecret;
  if (tokenSecret) {
    acknowledgements.push({
      scope: tokenSecret,
      id: 'AwsSolutions-SMG4',
      reason:
        'The HMAC key of connection tokens: the authorizer verifies with one key, so an automatic rotation would ' +
        'refuse every outstanding token at once. Rotate by hand (put a new value; tokens are short-lived and ' +
        'clients fetch new ones), or use JWKS mode, where the issuer rotates its keys.',
    });
  }

  // The publisher fans out like a route: it posts to the subscribers or the user's connections.
  const publisherRole = realtime.publisher.role;
  if (publisherRole) {
    acknowledgements.push({
      scope: publisherRole,
      id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
      reason:
        'execute-api:ManageConnections on this API and stage only, for the publisher fanning out; connection ' +
        'ids are created at runtime, so the resource must end in @connections/*.',
    });
  }

  // The fan-out worker posts slices of large fan-outs, like a fan-out route.
  const workerRole = realtime.fanOutQueue.worker.role;
  if (workerRole) {
    acknowledgements.push({
      scope: workerRole,
      id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
      reason:
        'execute-api:ManageConnections on this API and stage only, for the fan-out worker posting its ' +
        'slice; connection ids are created at runtime, so the resource must end in @connections/*.',
    });
  }

  if (realtime.apiGatewayAccount) {
    acknowledgements.push({
      scope: realtime.apiGatewayAccount.role,
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${API_GATEWAY_LOGS_POLICY}]`,
      reason:
        'The region-wide role API Gateway uses to write logs for every API in the account; AWS documents ' +
        'this managed policy for it, and it cannot be scoped to one log group.',
    });
  }
  return acknowledgements;
}

const DEMO_PUBLIC =
  'A public demo page of static files: every visitor may read it, from anywhere; nothing in it is secret ' +
  '(the WebSocket API it connects to enforces its own access).';

/**
 * The acknowledgements for one {@link DemoSite}: a public static page, and the BucketDeployment provider that
 * CDK creates once per stack (its role, policy and runtime are CDK's, not ours to scope).
 */
export function demoSiteNagAcknowledgements(site: DemoSite): NagAcknowledgement[] {
  const distribution = site.distribution;
  const acknowledgements: NagAcknowledgement[] = [
    { scope: distribution, id: 'AwsSolutions-CFR1', reason: DEMO_PUBLIC },
    {
      scope: distribution,
      id: 'AwsSolutions-CFR2',
      reason: `${DEMO_PUBLIC} A WAF web ACL costs more than the page.`,
    },
    {
      scope: distribution,
      id: 'AwsSolutions-CFR3',
      reason: 'Access logs of a demo page of static files are not worth a log bucket with ACLs enabled.',
    },
    {
      scope: distribution,
      id: 'AwsSolutions-CFR4',
      reason:
        "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy " +
        'cannot be chosen; a custom domain with an ACM certificate and TLSv1.2_2021 lifts this.',
    },
    {
      scope: site.bucket,
      id: 'AwsSolutions-S1',
      reason:
        'Only CloudFront reads the bucket (origin access control); a second bucket for its access logs adds nothing.',
    },
  ];
  const stack = Stack.of(site);
  const provider = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (provider !== undefined) {
    const bucket = site.bucket.node.defaultChild as CfnElement;
    const bucketLogicalId: unknown = stack.resolve(bucket.logicalId);
    const deployment =
      "CDK's BucketDeployment provider (one per stack, created by aws-cdk-lib): it copies the page from the " +
      'CDK asset bucket into the demo bucket at deploy time; its role and runtime are defined by CDK.';
    for (const id of [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`,
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
    ]) {
      acknowledgements.push({ scope: provider, id, reason: deployment });
    }
  }
  return acknowledgements;
}

/** Records each acknowledgement on its construct, where cdk-nag looks for it. */
export function applyNagAcknowledgements(acknowledgements: readonly NagAcknowledgement[]): void {
  for (const { scope, id, reason } of acknowledgements) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/** The ManageConnections resource as cdk-nag renders it: intrinsics as `<AWS::Region>`, refs as `<LogicalId>`. */
function manageConnectionsFindingResource(realtime: RealtimeApi, method: '*' | 'DELETE' = '*'): string {
  const api = realtime.api.node.defaultChild as CfnElement;
  // resolve() rather than getLogicalId(): it honours overrideLogicalId().
  const apiLogicalId: unknown = Stack.of(realtime).resolve(api.logicalId);
  return (
    `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>` +
    `/${realtime.stage.stageName}/${method}/@connections/*`
  );
}
