/**
 * Per-route throttles of the stage (`AWS::ApiGatewayV2::Stage` `RouteSettings`): their defaults, how a user's
 * overrides merge over them, and the `RouteSettings` map they become.
 *
 * API Gateway gives a route with its own throttling settings its own token bucket, in place of the stage's
 * default route throttling; every other route keeps the default. The account's regional limit (10,000
 * requests/s by default) still bounds them all. CDK's `WebSocketStage` sets only the default
 * (`DefaultRouteSettings`), so the construct writes `RouteSettings` on the L1 `CfnStage`.
 *
 * @module
 */
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { ROUTES, type RouteDefinition } from './routes.js';

/** A route that can have a throttle of its own: any but `$disconnect`, which API Gateway never refuses. */
export type ThrottledRouteKey = Exclude<RouteDefinition['routeKey'], '$disconnect'>;

/**
 * Route throttles by route key: a route's own limits, or `false` to leave the route on the stage's default
 * throttle. A route that is not named keeps its default.
 */
export type RouteThrottles = Readonly<Partial<Record<ThrottledRouteKey, ThrottleSettings | false>>>;

/** The route keys {@link RouteThrottles} accepts. */
export const THROTTLED_ROUTE_KEYS: readonly ThrottledRouteKey[] = ROUTES.map(
  (route) => route.routeKey,
).filter((key): key is ThrottledRouteKey => key !== '$disconnect');

/**
 * The default route throttles (README "Limits and abuse" explains each number). A flood of a fan-out route, at
 * the audience it is sized for, posts no more than the account's 10,000 `@connections` calls a second;
 * `$connect` matches AWS's own quota of new connections. Routes not listed share the stage's default throttle.
 */
export const DEFAULT_ROUTE_THROTTLES: RouteThrottles = Object.freeze({
  // Handshakes (authorizer, `$connect`, two writes): AWS admits 500 new connections/s per account and Region.
  $connect: Object.freeze({ rateLimit: 500, burstLimit: 1000 }),
  // One frame posts to every connection: 10/s × 1,000 connections is the account's whole posting budget.
  sendmessage: Object.freeze({ rateLimit: 10, burstLimit: 50 }),
  // One frame posts to a channel's subscribers: 100/s × 100 subscribers is that budget again.
  publish: Object.freeze({ rateLimit: 100, burstLimit: 200 }),
  // Two writes, a ranked query and a snapshot to every viewer of the board, per score.
  score: Object.freeze({ rateLimit: 200, burstLimit: 400 }),
});

/**
 * Merges `overrides` over {@link DEFAULT_ROUTE_THROTTLES}, field by field: `{ publish: { rateLimit: 50 } }` keeps
 * publish's default burst, `{ publish: false }` drops publish's own throttle. A limit left unset by both (a route
 * without a default) is taken from the stage's throttle, so every route throttle written has both limits: how
 * API Gateway treats a route setting with only one of them is not documented.
 */
export function mergeRouteThrottles(
  overrides: RouteThrottles | undefined,
  stage: ThrottleSettings,
): RouteThrottles {
  const merged: Partial<Record<ThrottledRouteKey, ThrottleSettings | false>> = {};
  const keys = new Set([
    ...Object.keys(DEFAULT_ROUTE_THROTTLES),
    ...Object.keys(overrides ?? {}),
  ]) as Set<ThrottledRouteKey>;
  for (const key of keys) {
    const override = overrides?.[key];
    const fallback = DEFAULT_ROUTE_THROTTLES[key];
    if (override === false) {
      merged[key] = false;
      continue;
    }
    const base = fallback === false || fallback === undefined ? {} : fallback;
    const rateLimit = override?.rateLimit ?? base.rateLimit ?? stage.rateLimit;
    const burstLimit = override?.burstLimit ?? base.burstLimit ?? stage.burstLimit;
    merged[key] = Object.freeze({
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...(burstLimit === undefined ? {} : { burstLimit }),
    });
  }
  return Object.freeze(merged);
}

/** One route's entry of the stage's `RouteSettings`, as CloudFormation names its fields. */
export interface RouteThrottleSetting {
  readonly ThrottlingRateLimit?: number;
  readonly ThrottlingBurstLimit?: number;
}

/**
 * The stage's `RouteSettings`: one entry per route with a throttle of its own (`false` ones left out), or
 * `undefined` when no route has one.
 */
export function routeSettingsOf(
  throttles: RouteThrottles,
): Readonly<Record<string, RouteThrottleSetting>> | undefined {
  const entries = Object.entries(throttles).flatMap(([key, throttle]) =>
    throttle === false || throttle === undefined
      ? []
      : [
          [
            key,
            {
              ...(throttle.rateLimit === undefined ? {} : { ThrottlingRateLimit: throttle.rateLimit }),
              ...(throttle.burstLimit === undefined ? {} : { ThrottlingBurstLimit: throttle.burstLimit }),
            },
          ] as const,
        ],
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}
