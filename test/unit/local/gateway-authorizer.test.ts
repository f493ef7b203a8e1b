import { afterEach, describe, expect, it } from 'vitest';
import type { RouteModel } from '../../../local/model.js';
import {
  apiModel,
  closeStartedGateways,
  connect,
  type FakeHandler,
  refusedStatus,
  startTestGateway,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:000000000000:abcdef1234/prod/$connect';

const connectRoute: RouteModel = {
  routeKey: '$connect',
  functionId: 'fn-$connect',
  twoWay: false,
  authorizer: {
    logicalId: 'Authorizer',
    name: 'token-authorizer',
    functionId: 'fn-auth',
    identitySources: ['route.request.header.Authorization', 'route.request.querystring.tenant'],
  },
};

function policy(effect: 'Allow' | 'Deny', resource = METHOD_ARN) {
  return {
    principalId: 'user-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    context: { tenant: 'acme', admin: true, level: 3 },
  };
}

async function authorizedGateway(authorizer: FakeHandler) {
  const api = apiModel([connectRoute, '$disconnect', '$default']);
  return startTestGateway(
    api,
    {
      'fn-auth': authorizer,
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-$disconnect': () => ({ statusCode: 200 }),
      'fn-$default': () => ({ statusCode: 200 }),
    },
    { region: 'eu-west-1' },
  );
}

const credentials = { headers: { authorization: 'Bearer t' } };

describe('gateway Lambda REQUEST authorizer', () => {
  it('answers 401 without invoking the authorizer when an identity source is missing', async () => {
    // Prepare
    const { gateway, lambdas } = await authorizedGateway(() => policy('Allow'));

    // Act
    const noQuery = await refusedStatus(gateway.url, credentials.headers);
    const noHeader = await refusedStatus(`${gateway.url}?tenant=acme`);

    // Assess
    expect([noQuery, noHeader]).toEqual([401, 401]);
    expect(lambdas.invocations).toEqual([]);
  });

  it('sends the authorizer an API Gateway REQUEST event with the $connect methodArn', async () => {
    // Prepare
    const { gateway, lambdas } = await authorizedGateway(() => policy('Allow'));

    // Act
    const client = await connect(`${gateway.url}?tenant=acme`, credentials);
    client.ws.close();

    // Assess
    const [event] = lambdas.eventsOf<Record<string, unknown>>('fn-auth');
    const connectEvent = lambdas.eventsOf('fn-$connect')[0];
    expect(event).toEqual({
      type: 'REQUEST',
      methodArn: METHOD_ARN,
      headers: expect.objectContaining({ authorization: 'Bearer t' }),
      multiValueHeaders: expect.objectContaining({ authorization: ['Bearer t'] }),
      queryStringParameters: { tenant: 'acme' },
      multiValueQueryStringParameters: { tenant: ['acme'] },
      stageVariables: {},
      requestContext: expect.objectContaining({
        routeKey: '$connect',
        eventType: 'CONNECT',
        connectionId: connectEvent?.requestContext.connectionId,
        requestId: connectEvent?.requestContext.requestId,
      }),
    });
  });

  it('puts principalId and the stringified context on $connect, every message and $disconnect', async () => {
    // Prepare
    const { gateway, lambdas } = await authorizedGateway(() =>
      policy('Allow', 'arn:aws:execute-api:*:*:*/prod/*'),
    );
    const client = await connect(`${gateway.url}?tenant=acme`, credentials);

    // Act
    client.ws.send('hello');
    await waitFor(() => lambdas.eventsOf('fn-$default').length === 1);
    client.ws.close();
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);

    // Assess
    const expected = {
      principalId: 'user-1',
      integrationLatency: expect.any(Number),
      tenant: 'acme',
      admin: 'true',
      level: '3',
    };
    for (const fn of ['fn-$connect', 'fn-$default', 'fn-$disconnect']) {
      expect(lambdas.eventsOf(fn)[0]?.requestContext.authorizer).toEqual(expected);
    }
  });

  it('answers 403 when the policy denies, and does not run $connect', async () => {
    // Prepare
    const { gateway, lambdas, logs } = await authorizedGateway(() => policy('Deny'));

    // Act
    const status = await refusedStatus(`${gateway.url}?tenant=acme`, credentials.headers);

    // Assess
    expect(status).toBe(403);
    expect(lambdas.eventsOf('fn-$connect')).toEqual([]);
    expect(logs.map((log) => [log.functionId, log.outcome])).toEqual([['fn-auth', 'rejected 403']]);
  });

  it('answers 403 when the policy allows a different resource', async () => {
    // Prepare
    const other = 'arn:aws:execute-api:eu-west-1:000000000000:otherapi/prod/$connect';
    const { gateway } = await authorizedGateway(() => policy('Allow', other));

    // Act
    const status = await refusedStatus(`${gateway.url}?tenant=acme`, credentials.headers);

    // Assess
    expect(status).toBe(403);
  });

  it("answers 401 when the authorizer throws 'Unauthorized'", async () => {
    // Prepare
    const { gateway, lambdas } = await authorizedGateway(() => {
      throw new Error('Unauthorized');
    });

    // Act
    const status = await refusedStatus(`${gateway.url}?tenant=acme`, credentials.headers);

    // Assess
    expect(status).toBe(401);
    expect(lambdas.eventsOf('fn-$connect')).toEqual([]);
  });

  it('answers 500 when the authorizer fails any other way or returns no policy', async () => {
    // Prepare
    const failing = await authorizedGateway(() => {
      throw new Error('database down');
    });
    const malformed = await authorizedGateway(() => ({ principalId: 'user-1' }));

    // Act
    const failed = await refusedStatus(`${failing.gateway.url}?tenant=acme`, credentials.headers);
    const invalid = await refusedStatus(`${malformed.gateway.url}?tenant=acme`, credentials.headers);

    // Assess
    expect([failed, invalid]).toEqual([500, 500]);
    expect(failing.logs.map((log) => log.outcome)).toEqual(['error Error: database down']);
  });
});
