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
import type { RealtimeApi } from './realtime-api.js';
import { ROUTES } from './routes.js';

/** One acknowledgement: the finding id, on which construct (it covers its whole subtree), and why. */
export interface NagAcknowledgement {
  readonly scope: IConstruct;
  readonly id: string;
  readonly reason: string;
}

const CONNECT_AUTHORIZATION =
  'Public demo API: anyone may connect. To restrict it, give the $connect route a Lambda REQUEST or IAM ' +
  'authorizer; API Gateway then authorizes the connection once for all its messages.';
const MESSAGE_ROUTE_AUTHORIZATION =
  'API Gateway WebSocket APIs authorize only the $connect route; message and $disconnect routes cannot have ' +
  'an authorizer and run on the connection $connect accepted.';

/** The acknowledgements for one {@link RealtimeApi}, to apply with {@link applyNagAcknowledgements}. */
export function realtimeApiNagAcknowledgements(realtime: RealtimeApi): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  for (const [routeKey, route] of Object.entries(realtime.routes)) {
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

/** Records each acknowledgement on its construct, where cdk-nag looks for it. */
export function applyNagAcknowledgements(acknowledgements: readonly NagAcknowledgement[]): void {
  for (const { scope, id, reason } of acknowledgements) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/** The ManageConnections resource as cdk-nag renders it: intrinsics as `<AWS::Region>`, refs as `<LogicalId>`. */
function manageConnectionsFindingResource(realtime: RealtimeApi): string {
  const api = realtime.api.node.defaultChild as CfnElement;
  // resolve() rather than getLogicalId(): it honours overrideLogicalId().
  const apiLogicalId: unknown = Stack.of(realtime).resolve(api.logicalId);
  return (
    `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>` +
    `/${realtime.stage.stageName}/*/@connections/*`
  );
}
