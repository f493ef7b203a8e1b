/**
 * Turns a route's {@link RouteAccess} into IAM statements: exact DynamoDB actions on the table ARN or on the
 * `byConnection` index ARN, and `execute-api:ManageConnections` on this API's stage only.
 *
 * @module
 */
import { Stack } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BY_CONNECTION_INDEX, BY_USER_INDEX, RANK_INDEX } from '../lambdas/core/table-design.js';
import type { RouteAccess } from './routes.js';

/** The resources a route's grants are scoped to. */
export interface RouteGrantTargets {
  readonly table: ITableV2;
  readonly stage: WebSocketStage;
}

/**
 * Grants `grantee` exactly what `access` lists. Written by hand rather than with `table.grant*()`: those add
 * actions a route does not use (`DescribeTable`, `ConditionCheckItem`, …) and `index/*` resources.
 */
export function grantRouteAccess(grantee: IGrantable, access: RouteAccess, targets: RouteGrantTargets): void {
  const { table, stage } = targets;
  if (access.table.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...access.table], resources: [table.tableArn] }),
    );
  }
  if (access.byConnectionIndex.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...access.byConnectionIndex],
        resources: [`${table.tableArn}/index/${BY_CONNECTION_INDEX}`],
      }),
    );
  }
  if (access.byUserIndex.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...access.byUserIndex],
        resources: [`${table.tableArn}/index/${BY_USER_INDEX}`],
      }),
    );
  }
  if (access.rankIndex.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...access.rankIndex],
        resources: [`${table.tableArn}/index/${RANK_INDEX}`],
      }),
    );
  }
  if (access.manageConnections) {
    // arn:…:execute-api:<region>:<account>:<apiId>/<stage>/*/@connections/*: POST and DELETE on any
    // connection of this stage. Connection ids are not known in advance, hence the trailing wildcard.
    stage.grantManagementApiAccess(grantee);
  } else if (access.closeConnections === true) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [closeConnectionsArn(stage)],
      }),
    );
  }
}

/** `arn:…:execute-api:<region>:<account>:<apiId>/<stage>/DELETE/@connections/*`: closing, not posting. */
export function closeConnectionsArn(stage: WebSocketStage): string {
  return Stack.of(stage).formatArn({
    service: 'execute-api',
    resource: stage.api.apiId,
    resourceName: `${stage.stageName}/DELETE/@connections/*`,
  });
}
