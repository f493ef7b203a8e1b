import { describe, expect, it } from 'vitest';
import type { CfnResource } from '../../../local/assembly/template.js';
import { readWebSocketApis } from '../../../local/assembly/websocket-apis.js';
import type { TemplateValue } from '../../../local/model.js';

/** An API with one stage whose properties are `stage`, as CDK writes them. */
function apiWithStage(stage: Record<string, TemplateValue>): Record<string, CfnResource> {
  return {
    Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'api', ProtocolType: 'WEBSOCKET' } },
    Stage: {
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { ApiId: { Ref: 'Api' }, StageName: 'prod', ...stage },
    },
  };
}

describe('readWebSocketApis stage throttling', () => {
  it('reads the default route throttling and every route setting that throttles, by route key', () => {
    // Prepare
    const resources = apiWithStage({
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      RouteSettings: {
        $connect: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        publish: { ThrottlingRateLimit: 10.5 },
        score: { ThrottlingBurstLimit: 4 },
        ping: { LoggingLevel: 'INFO', DetailedMetricsEnabled: true },
      },
    });

    // Act
    const [api] = readWebSocketApis('App', resources);

    // Assess: a route setting without a limit (only logging) leaves its route on the default.
    expect(api?.throttle).toEqual({ rateLimit: 500, burstLimit: 1000 });
    expect(api?.routeThrottles).toEqual({
      $connect: { rateLimit: 50, burstLimit: 100 },
      publish: { rateLimit: 10.5 },
      score: { burstLimit: 4 },
    });
  });

  it('reads no throttling from a stage without route settings', () => {
    const [api] = readWebSocketApis('App', apiWithStage({}));

    expect(api).not.toHaveProperty('throttle');
    expect(api).not.toHaveProperty('routeThrottles');
  });

  it('skips a limit that is not a literal number (a parameter reference)', () => {
    const [api] = readWebSocketApis(
      'App',
      apiWithStage({
        RouteSettings: { publish: { ThrottlingRateLimit: { Ref: 'Rate' }, ThrottlingBurstLimit: 3 } },
      }),
    );

    expect(api?.routeThrottles).toEqual({ publish: { burstLimit: 3 } });
  });
});
