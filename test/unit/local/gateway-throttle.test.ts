import { afterEach, describe, expect, it } from 'vitest';
import { StageThrottle, TokenBucket } from '../../../local/gateway/throttle.js';
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

describe('StageThrottle', () => {
  /** Takes `count` tokens for `routeKey` and returns how many were granted. */
  const take = (throttle: StageThrottle, routeKey: string | undefined, count: number): number =>
    Array.from({ length: count }, () => throttle.tryTake(routeKey)).filter(Boolean).length;

  it('gives a route with its own settings its own bucket, and the other routes the stage default', () => {
    // Prepare: a frozen clock, so no bucket refills.
    const throttle = StageThrottle.of(
      {
        throttle: { rateLimit: 1, burstLimit: 3 },
        routeThrottles: { publish: { rateLimit: 1, burstLimit: 2 } },
      },
      () => 0,
    );
    if (throttle === undefined) throw new Error('expected a throttle');

    // Act: drain publish's bucket, then the stage's
    const publish = take(throttle, 'publish', 5);
    const ping = take(throttle, 'ping', 5);
    const unmatched = take(throttle, undefined, 1);

    // Assess: publish's flood left the stage's 3 tokens alone; an unmatched request counts against the stage.
    expect(publish).toBe(2);
    expect(ping).toBe(3);
    expect(unmatched).toBe(0);
  });

  it('refills each bucket at its own rate', () => {
    // Prepare
    let now = 0;
    const throttle = StageThrottle.of(
      {
        throttle: { rateLimit: 10, burstLimit: 1 },
        routeThrottles: { score: { rateLimit: 1, burstLimit: 1 } },
      },
      () => now,
    );
    if (throttle === undefined) throw new Error('expected a throttle');
    take(throttle, 'score', 1);
    take(throttle, 'ping', 1);

    // Act: a tenth of a second refills the stage's bucket (10/s) but not score's (1/s)
    now += 100;
    const afterTenth = [throttle.tryTake('score'), throttle.tryTake('ping')];
    now += 900;
    const afterSecond = throttle.tryTake('score');

    // Assess
    expect(afterTenth).toEqual([false, true]);
    expect(afterSecond).toBe(true);
  });

  it('never throttles $disconnect, even with settings of its own', () => {
    const throttle = StageThrottle.of(
      { throttle: { burstLimit: 1 }, routeThrottles: { $disconnect: { rateLimit: 1, burstLimit: 1 } } },
      () => 0,
    );
    if (throttle === undefined) throw new Error('expected a throttle');

    expect(take(throttle, '$disconnect', 10)).toBe(10);
  });

  it.each([
    ['only a burst: the rate does not limit, the burst refills at once', { burstLimit: 2 }, 2, true],
    ['only a rate: the burst is the rate (at least 1)', { rateLimit: 3 }, 3, false],
  ] as const)('reads a route setting with %s', (_, routeThrottle, granted, refilledAfterAMillisecond) => {
    // Prepare
    let now = 0;
    const throttle = StageThrottle.of({ routeThrottles: { publish: routeThrottle } }, () => now);
    if (throttle === undefined) throw new Error('expected a throttle');

    // Act
    const first = take(throttle, 'publish', 10);
    now += 1;
    const later = throttle.tryTake('publish');

    // Assess
    expect(first).toBe(granted);
    expect(later).toBe(refilledAfterAMillisecond);
  });

  it('leaves the other routes unthrottled when only a route has settings', () => {
    const throttle = StageThrottle.of(
      { routeThrottles: { publish: { rateLimit: 1, burstLimit: 1 } } },
      () => 0,
    );
    if (throttle === undefined) throw new Error('expected a throttle');

    expect([take(throttle, 'publish', 3), take(throttle, 'ping', 100)]).toEqual([1, 100]);
  });

  it('is absent when neither the stage nor any route sets a limit', () => {
    expect(StageThrottle.of({})).toBeUndefined();
    expect(StageThrottle.of({ throttle: {}, routeThrottles: { ping: {} } })).toBeUndefined();
  });
});

describe('gateway route throttling', () => {
  it("answers a flooded route 'Too many requests' while another route still answers", async () => {
    // Prepare: `flood` has two tokens of its own, the stage plenty; neither refills during the test.
    const api = apiModel(['$default', { routeKey: 'flood', functionId: 'fn-flood', twoWay: true }], {
      throttle: { rateLimit: 0.001, burstLimit: 100 },
      routeThrottles: { flood: { rateLimit: 0.001, burstLimit: 2 } },
    });
    const { gateway, lambdas } = await startTestGateway(api, {
      'fn-flood': () => ({ statusCode: 200, body: 'flooded' }),
      'fn-$default': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url);

    // Act
    for (let i = 0; i < 5; i += 1) client.ws.send(JSON.stringify({ action: 'flood', n: i }));
    const replies = await Promise.all(Array.from({ length: 5 }, () => client.next()));
    client.ws.send('not json: $default');

    // Assess
    const throttled = replies.filter((reply) => reply.includes('Too many requests'));
    expect(throttled).toHaveLength(3);
    expect(JSON.parse(throttled[0] ?? '{}')).toEqual({
      message: 'Too many requests',
      connectionId: expect.any(String),
      requestId: expect.any(String),
    });
    expect(replies.filter((reply) => reply === 'flooded')).toHaveLength(2);
    await expect
      .poll(() => lambdas.eventsOf('fn-$default').map((event) => event.body))
      .toEqual(['not json: $default']);
    expect(lambdas.eventsOf('fn-flood')).toHaveLength(2);
  });

  it("answers an upgrade 429 from $connect's own bucket, without spending the stage's", async () => {
    // Prepare: one handshake a day; messages have the stage's two tokens.
    const api = apiModel(['$connect', '$default'], {
      throttle: { rateLimit: 0.001, burstLimit: 2 },
      routeThrottles: { $connect: { rateLimit: 0.001, burstLimit: 1 } },
    });
    const { gateway, lambdas } = await startTestGateway(api, {
      'fn-$connect': () => ({ statusCode: 200 }),
      'fn-$default': () => ({ statusCode: 200 }),
    });
    const client = await connect(gateway.url);

    // Act
    const status = await refusedStatus(gateway.url);
    client.ws.send('one');
    client.ws.send('two');

    // Assess: the refused upgrade took nothing from the messages' budget.
    expect(status).toBe(429);
    await expect.poll(() => lambdas.eventsOf('fn-$default').length).toBe(2);
    expect(lambdas.eventsOf('fn-$connect')).toHaveLength(1);
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
