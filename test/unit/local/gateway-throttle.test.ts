import { afterEach, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../local/gateway/throttle.js';
import {
  apiModel,
  closeStartedGateways,
  connect,
  refusedStatus,
  startTestGateway,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    // Prepare
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);

    // Act
    const burst = [bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()];
    now += 500; // half a second at 2/s refills one token
    const refilled = [bucket.tryTake(), bucket.tryTake()];

    // Assess
    expect(burst).toEqual([true, true, true, false]);
    expect(refilled).toEqual([true, false]);
  });

  it('never holds more than the burst', () => {
    // Prepare
    let now = 0;
    const bucket = new TokenBucket(100, 2, () => now);

    // Act
    now += 60_000;
    const taken = [bucket.tryTake(), bucket.tryTake(), bucket.tryTake()];

    // Assess
    expect(taken).toEqual([true, true, false]);
  });
});

describe('gateway stage throttling', () => {
  it("answers messages over the stage limit with 'Too many requests' and keeps the connection", async () => {
    // Prepare: two tokens, refilled about every 17 minutes.
    const api = apiModel(['$default'], { throttle: { rateLimit: 0.001, burstLimit: 2 } });
    const { gateway, lambdas } = await startTestGateway(api, { 'fn-$default': () => ({ statusCode: 200 }) });
    const client = await connect(gateway.url);

    // Act: the upgrade takes one token and the first message the other; later messages are throttled.
    client.ws.send('first');
    client.ws.send('second');
    client.ws.send('third');
    const reply = await client.nextJson();

    // Assess
    expect(reply).toEqual({
      message: 'Too many requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(lambdas.eventsOf('fn-$default').map((event) => event.body)).toEqual(['first']);
  });

  it('answers an upgrade over the stage limit with 429', async () => {
    // Prepare
    const api = apiModel(['$default'], { throttle: { rateLimit: 0.001, burstLimit: 1 } });
    const { gateway } = await startTestGateway(api, {});
    await connect(gateway.url);

    // Act
    const status = await refusedStatus(gateway.url);

    // Assess
    expect(status).toBe(429);
  });
});
