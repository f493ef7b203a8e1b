/**
 * `sendtouser`: sends `data` to every open connection of one user, as a `direct` frame. Who may message whom
 * is a policy injected into the handler ({@link MessagePolicy}): everyone may message everyone while auth is
 * off, and with auth the caller's grants decide.
 *
 * @module
 */
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logger.js';
import { type DirectPorts, sendToUser, sentFrame } from '../core/direct.js';
import { ProtocolError } from '../core/errors.js';
import type { ConnectionStore } from '../core/ports.js';
import type { WebSocketEvent } from './support/events.js';
import { defaultFanOutSettings, type FanOutSettings, loggedFanOut } from './support/fan-out.js';
import { accessPolicyFromEnv, messagePolicy } from './support/identity.js';
import { lambdaEntry } from './support/lambda-entry.js';
import { productionPorts } from './support/ports.js';
import { productionGuard } from './support/production-guard.js';
import { type RespondDeps, respond } from './support/respond.js';
import type { RouteLogger, RouteResponse } from './support/route-response.js';
import { authorizedUserId } from './support/user.js';

/** Whether the caller (its request context: authorizer, connection) may message `userId` directly. */
export type MessagePolicy = (requestContext: WebSocketEvent['requestContext'], userId: string) => boolean;

/**
 * The policy while auth is off: anyone may message anyone. The deployed handler checks the caller's grants
 * instead (`messagePolicy` in `support/identity.ts`).
 */
export const ALLOW_ALL_MESSAGES: MessagePolicy = () => true;

/** What the `sendtouser` handler needs. */
export interface SendToUserDeps extends RespondDeps {
  readonly ports: DirectPorts & { readonly store: Pick<ConnectionStore, 'member'> };
  readonly mayMessage: MessagePolicy;
  readonly logger: RouteLogger;
  readonly fanOut: FanOutSettings;
}

/**
 * Builds the `sendtouser` handler. Each connection of the user receives
 * `{"type":"direct","from","fromUser","data","sentAt"}`; the caller gets `{"type":"sent","user","delivered"}`,
 * or `FORBIDDEN` when the policy refuses, before anything is read or sent.
 */
export const makeSendToUserHandler =
  (deps: SendToUserDeps) =>
  async (event: WebSocketEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RouteResponse> =>
    respond(event, 'sendtouser', deps, async (request) => {
      const { connectionId } = event.requestContext;
      const { user, data } = request;
      if (!deps.mayMessage(event.requestContext, user)) {
        throw new ProtocolError('FORBIDDEN', `you may not message user ${JSON.stringify(user)}`, {
          requestId: request.id,
        });
      }
      // While auth is off the client id is the user id ($connect records it so).
      const fromUser =
        authorizedUserId(event.requestContext) ?? (await deps.ports.store.member(connectionId)).clientId;
      const result = await loggedFanOut(
        deps.logger,
        context,
        deps.fanOut,
        { route: 'sendtouser', user },
        (options) =>
          sendToUser(deps.ports, { sender: { from: connectionId, fromUser }, user, data }, options),
      );
      return sentFrame(user, result.delivered, request.id, result.queued === true);
    });

/** The Lambda entry point. */
export const handler = lambdaEntry(
  makeSendToUserHandler({
    ports: productionPorts('sendtouser'),
    mayMessage: messagePolicy(accessPolicyFromEnv()),
    logger,
    guard: productionGuard(),
    fanOut: defaultFanOutSettings(),
  }),
);
