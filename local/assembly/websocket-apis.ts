/**
 * Reads the WebSocket APIs of a template (`AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`) with their
 * first stage, routes, integrations, route responses and Lambda authorizers, into `WebSocketApiModel`s.
 *
 * @module
 */
import type {
  AuthorizerModel,
  RouteModel,
  TemplateValue,
  ThrottleModel,
  WebSocketApiModel,
} from '../model.js';
import { localApiId } from './api-id.js';
import {
  type CfnResource,
  findArnTarget,
  findRef,
  idsOfType,
  isTemplateObject,
  literalNumber,
  literalString,
  refOf,
} from './template.js';

type Resources = Readonly<Record<string, CfnResource>>;

/** Stage name used when a template has an API but no stage (API Gateway could not serve it at all). */
const NO_STAGE_NAME = 'local';

const propertiesOf = (resources: Resources, id: string): Record<string, TemplateValue> =>
  resources[id]?.Properties ?? {};

const typeIs = (resources: Resources, type: string) => (id: string) => resources[id]?.Type === type;

/** The Lambda function an integration or authorizer URI invokes (`Fn::GetAtt [fn, 'Arn']` in a `Fn::Join`). */
const functionOfUri = (resources: Resources, uri: TemplateValue | undefined): string | undefined =>
  findArnTarget(uri, typeIs(resources, 'AWS::Lambda::Function'));

function identitySourcesOf(value: TemplateValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((source): source is string => typeof source === 'string');
  if (typeof value === 'string') return value.split(',').map((source) => source.trim());
  return [];
}

/** The Lambda REQUEST authorizer a `CUSTOM` route points at, or undefined (no, or another kind of, authorizer). */
function authorizerOf(
  resources: Resources,
  route: Record<string, TemplateValue>,
): AuthorizerModel | undefined {
  if (route.AuthorizationType !== 'CUSTOM') return undefined;
  const logicalId = refOf(route.AuthorizerId);
  if (logicalId === undefined || !typeIs(resources, 'AWS::ApiGatewayV2::Authorizer')(logicalId))
    return undefined;
  const properties = propertiesOf(resources, logicalId);
  const functionId = functionOfUri(resources, properties.AuthorizerUri);
  if (properties.AuthorizerType !== 'REQUEST' || functionId === undefined) return undefined;
  return {
    logicalId,
    name: literalString(properties.Name) ?? logicalId,
    functionId,
    identitySources: identitySourcesOf(properties.IdentitySource),
  };
}

/** The routes of one API that integrate with a Lambda function (AWS_PROXY), in template order. */
function routesOf(resources: Resources, apiId: string): RouteModel[] {
  const routeResponses = idsOfType(resources, 'AWS::ApiGatewayV2::RouteResponse').map((id) =>
    refOf(propertiesOf(resources, id).RouteId),
  );
  const routes: RouteModel[] = [];
  for (const routeId of idsOfType(resources, 'AWS::ApiGatewayV2::Route')) {
    const route = propertiesOf(resources, routeId);
    const routeKey = literalString(route.RouteKey);
    if (refOf(route.ApiId) !== apiId || routeKey === undefined) continue;
    const integrationId = findRef(route.Target, typeIs(resources, 'AWS::ApiGatewayV2::Integration'));
    if (integrationId === undefined) continue;
    const integration = propertiesOf(resources, integrationId);
    const functionId = functionOfUri(resources, integration.IntegrationUri);
    if (integration.IntegrationType !== 'AWS_PROXY' || functionId === undefined) continue;
    const authorizer = authorizerOf(resources, route);
    routes.push({
      routeKey,
      functionId,
      twoWay: routeResponses.includes(routeId),
      ...(authorizer === undefined ? {} : { authorizer }),
    });
  }
  return routes;
}

/** The throttling limits of one route settings object, or undefined when it sets neither (e.g. only logging). */
function throttleOf(settings: TemplateValue | undefined): ThrottleModel | undefined {
  if (!isTemplateObject(settings)) return undefined;
  const rateLimit = literalNumber(settings.ThrottlingRateLimit);
  const burstLimit = literalNumber(settings.ThrottlingBurstLimit);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return {
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(burstLimit === undefined ? {} : { burstLimit }),
  };
}

/** The routes of `RouteSettings` (a map of route key → settings) that set throttling limits. */
function routeThrottlesOf(settings: TemplateValue | undefined): Record<string, ThrottleModel> {
  if (!isTemplateObject(settings)) return {};
  return Object.fromEntries(
    Object.entries(settings).flatMap(([routeKey, value]) => {
      const throttle = throttleOf(value);
      return throttle === undefined ? [] : [[routeKey, throttle] as const];
    }),
  );
}

/** Stage name, logical id, default and per-route throttling of the first stage of the API. */
function stageOf(
  resources: Resources,
  apiId: string,
): Pick<WebSocketApiModel, 'stageName' | 'stageLogicalId' | 'throttle' | 'routeThrottles'> {
  const stageId = idsOfType(resources, 'AWS::ApiGatewayV2::Stage').find(
    (id) => refOf(propertiesOf(resources, id).ApiId) === apiId,
  );
  if (stageId === undefined) return { stageName: NO_STAGE_NAME };
  const stage = propertiesOf(resources, stageId);
  const throttle = throttleOf(stage.DefaultRouteSettings);
  const routeThrottles = routeThrottlesOf(stage.RouteSettings);
  return {
    stageName: literalString(stage.StageName) ?? stageId,
    stageLogicalId: stageId,
    ...(throttle === undefined ? {} : { throttle }),
    ...(Object.keys(routeThrottles).length === 0 ? {} : { routeThrottles }),
  };
}

/** The WebSocket APIs of one stack, in template order (HTTP APIs are ignored). */
export function readWebSocketApis(stackName: string, resources: Resources): WebSocketApiModel[] {
  return idsOfType(resources, 'AWS::ApiGatewayV2::Api')
    .filter((id) => propertiesOf(resources, id).ProtocolType === 'WEBSOCKET')
    .map((logicalId) => {
      const api = propertiesOf(resources, logicalId);
      return {
        logicalId,
        apiId: localApiId(stackName, logicalId),
        name: literalString(api.Name) ?? logicalId,
        routeSelectionExpression: literalString(api.RouteSelectionExpression) ?? '$request.body.action',
        ...stageOf(resources, logicalId),
        routes: routesOf(resources, logicalId),
      };
    });
}
