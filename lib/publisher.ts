/**
 * The publisher: the function a backend invokes (Lambda `Invoke`, no WebSocket) to publish to a channel or
 * send to a user. Built like a route function but behind no route: only principals given
 * {@link Publisher.grantPublish} may invoke it.
 *
 * @module
 */
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { handlerEntry } from './paths.js';
import { RouteFunction, type RouteFunctionProps } from './route-function.js';
import { grantRouteAccess } from './route-grants.js';
import type { RouteAccess } from './routes.js';

/**
 * What the publisher may do: a channel publish (the `seq` counter, the kept history, the subscribers), a
 * user's connections (`byUser`), and, like every fan-out, post on this stage and remove recipients found
 * gone (announcing their `leave` to present members).
 */
export const PUBLISHER_ACCESS: RouteAccess = {
  table: [
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:GetItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  byConnectionIndex: ['dynamodb:Query'],
  byUserIndex: ['dynamodb:Query'],
  rankIndex: [],
  manageConnections: true,
};

/** Properties of a {@link Publisher}: the function's settings and what it works on. */
export interface PublisherProps extends Omit<RouteFunctionProps, 'entry' | 'description'> {
  readonly table: TableV2;
  readonly stage: WebSocketStage;
}

/**
 * The publisher function and its grants.
 *
 * @example
 * const publisher = new Publisher(this, 'Publisher', { table, stage, ...functionSettings });
 * publisher.grantPublish(backendRole);
 */
export class Publisher extends Construct {
  /** The function (`lambdas/handlers/publisher.ts`). */
  public readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: PublisherProps) {
    super(scope, id);
    const { table, stage, ...functionProps } = props;
    this.function = new RouteFunction(this, 'Handler', {
      ...functionProps,
      entry: handlerEntry('publisher'),
      description: 'Server-side publish: { channel, data } or { user, data }, invoked with the Lambda API',
    }).function;
    grantRouteAccess(this.function, PUBLISHER_ACCESS, { table, stage });
  }

  /**
   * Lets `grantee` invoke the publisher: `lambda:InvokeFunction` on this function's ARN only (not its
   * versions or aliases, not other functions).
   */
  grantPublish(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [this.function.functionArn],
    });
  }
}
