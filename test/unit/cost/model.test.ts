import { describe, expect, it } from 'vitest';
import {
  type Assumptions,
  type BillLine,
  billedMs,
  computeUsage,
  estimate,
  messageUnits,
  publishProfile,
  queryReadUnits,
  sendBatches,
  sliceBodyBytes,
  sqsRequestUnits,
  type Workload,
  writeUnits,
} from '../../../bench/cost/model.js';
import { PRICES, tieredCost } from '../../../bench/cost/prices.js';

const GIB = 1024 ** 3;

/** One connection open for one hour on one day: it subscribes once and publishes once, to one subscriber. */
const ONE: Workload = {
  connections: 1,
  hoursPerDay: 1,
  daysPerMonth: 1,
  sessionMinutes: 60,
  subscribesPerConnection: 1,
  messagesPerConnectionPerHour: 1,
  subscribersPerMessage: 1,
  messageBytes: 512,
  pingsPerConnectionPerHour: 0,
};

/**
 * Round assumptions the hand computations below start from. They are the test's own inputs, not copies of the
 * defaults: test/unit/cost/stack-assumptions.test.ts checks the defaults against the synthesized stack.
 */
const ASSUME: Assumptions = {
  memoryMb: 256,
  fanOutMemoryMb: 1024,
  baseMs: 10,
  postUs: 300,
  readConsistency: 'strong',
  subscriptionItemBytes: 100,
  indexItemBytes: 70,
  fanOutInlineLimit: 100,
  fanOutSliceSize: 100,
  logBytesPerInvocation: 350,
  fanoutLogBytes: 300,
  accessLogBytes: 600,
  emfBytesPerFanOut: 470,
  customMetrics: 10,
  alarms: 20,
  dashboards: 1,
  sqsIdlePollers: 5,
  logRetentionDays: 30,
  stageRateLimit: 500,
  publishRateLimit: 100,
  fanOutTimeoutMs: 10_000,
  authorizerInvocationsPerConnect: 0,
  rateLimitWritesPerMessage: 0,
  secrets: 0,
};

type PriceKey = keyof typeof PRICES;

/** USD of one unit at a flat price (or in its first tier), read from the price file. */
const unitUsd = (key: PriceKey): number => {
  const price = PRICES[key];
  return (price.tiers[0]?.usd ?? Number.NaN) / price.per;
};

const lineOf = (lines: readonly BillLine[], service: string, item: string): BillLine => {
  const found = lines.find((l) => l.service === service && l.item.startsWith(item));
  if (found === undefined) throw new Error(`no line ${service} ${item}`);
  return found;
};

describe('one connection for one hour, one message to one subscriber', () => {
  const { usage, bill, warnings } = estimate({ workload: ONE, assumptions: ASSUME });
  const line = (service: string, item: string): BillLine => lineOf(bill.lines, service, item);

  it('bills 60 connection-minutes at $0.25 per million', () => {
    expect(line('API Gateway', 'connection-minutes').quantity).toBe(60);
    expect(line('API Gateway', 'connection-minutes').usd).toBeCloseTo(
      60 * unitUsd('apiGatewayConnectionMinute'),
      15,
    );
  });

  it('bills 2 messages in (subscribe, publish) and 3 out (subscribed ack, the post, published ack)', () => {
    expect(usage.messagesIn).toBe(2);
    expect(usage.messagesOut).toBe(3);
    expect(line('API Gateway', 'messages').quantity).toBe(5);
    expect(line('API Gateway', 'messages').usd).toBeCloseTo(5 * unitUsd('apiGatewayMessage'), 15);
  });

  it('bills the post and two 64-byte acks as data out', () => {
    expect(usage.bytesOut).toBe(640);
    expect(line('Data transfer', 'out').usd).toBeCloseTo((640 / GIB) * unitUsd('dataTransferOut'), 15);
  });

  it('bills 4 Lambda requests: connect, subscribe, publish, disconnect', () => {
    expect(usage.invocations).toEqual({
      authorizer: 0,
      connect: 1,
      disconnect: 1,
      subscribe: 1,
      publish: 1,
      ping: 0,
      fanoutWorker: 0,
    });
    expect(line('Lambda', 'requests').usd).toBeCloseTo(4 * unitUsd('lambdaRequest'), 15);
  });

  it('bills 10 + 10 + 10 + 11 ms (10.3 rounded up) at 0.25 GB', () => {
    expect(line('Lambda', 'duration').quantity).toBeCloseTo(0.041 * 0.25, 12);
    expect(line('Lambda', 'duration').usd).toBeCloseTo(0.01025 * unitUsd('lambdaArmGbSecond'), 15);
  });

  it('bills 18 write units: connect 2 + 3 GSI, subscribe 1 + 1 GSI + its count on META 1, seq counter 1, kept message 1 (512 + 200 B), trim 1, disconnect 3 + 4 GSI deletes', () => {
    expect(line('DynamoDB', 'write').quantity).toBe(18);
    expect(line('DynamoDB', 'write').usd).toBeCloseTo(18 * unitUsd('dynamoDbWriteRequestUnit'), 15);
  });

  it("bills 3 read units: the user's count on connect (0.5), the author's META (1), a strongly consistent subscribers page (1) and the GSI query on disconnect (0.5)", () => {
    expect(line('DynamoDB', 'read').quantity).toBe(3);
    expect(line('DynamoDB', 'read').usd).toBeCloseTo(3 * unitUsd('dynamoDbReadRequestUnit'), 15);
  });

  it('bills storage of 1,380 bytes (690 in the table) for 1/720 of the month, table and backup', () => {
    // Table: META 220 + membership 70 + subscription 100 + 3 × 100 overhead. Indexes: 3 byConnection entries of
    // 70 + 100, and META's byUser entry of 80 + 100.
    expect(line('DynamoDB', 'storage').quantity).toBeCloseTo(1380 / 720 / GIB, 15);
    expect(line('DynamoDB', 'point-in-time').quantity).toBeCloseTo(690 / 720 / GIB, 15);
    expect(line('DynamoDB', 'storage').usd).toBeCloseTo(
      (1380 / 720 / GIB) * unitUsd('dynamoDbStorageGbMonth'),
      15,
    );
  });

  it('sends nothing through SQS', () => {
    expect(line('SQS', 'requests').quantity).toBe(0);
  });

  it('ingests 4 × 350 + 300 + 470 (EMF) Lambda log bytes and 4 × 600 access log bytes, and keeps them a month', () => {
    expect(line('CloudWatch', 'logs ingested').quantity).toBeCloseTo(4570 / GIB, 15);
    expect(line('CloudWatch', 'logs ingested').usd).toBeCloseTo(
      (4570 / GIB) * unitUsd('cloudWatchLogsIngestedGb'),
      15,
    );
    expect(line('CloudWatch', 'logs stored').quantity).toBeCloseTo(4570 / GIB, 15);
    expect(line('CloudWatch', 'logs stored').usd).toBeCloseTo(
      (4570 / GIB) * unitUsd('cloudWatchLogsStoredGbMonth'),
      15,
    );
  });

  it('bills the idle queue: 5 pollers × one 20 s long poll each, around the clock (648,000 requests)', () => {
    expect(line('SQS', 'idle long polls').quantity).toBe(648_000);
    expect(line('SQS', 'idle long polls').usd).toBeCloseTo(648_000 * unitUsd('sqsStandardRequest'), 12);
  });

  it('bills 10 custom metrics, 20 alarms and 1 dashboard a month at their unit prices, and totals the lines', () => {
    expect(line('CloudWatch', 'custom metrics').usd).toBeCloseTo(
      10 * unitUsd('cloudWatchCustomMetricMonth'),
      12,
    );
    expect(line('CloudWatch', 'alarms').usd).toBeCloseTo(20 * unitUsd('cloudWatchAlarmMonth'), 12);
    expect(line('CloudWatch', 'dashboards').usd).toBeCloseTo(unitUsd('cloudWatchDashboardMonth'), 12);
    expect(bill.totalUsd).toBeCloseTo(
      bill.lines.reduce((sum, l) => sum + l.usd, 0),
      15,
    );
    expect(warnings).toEqual([]);
  });

  it('bills no idle poll when every fan-out is inline (no queue)', () => {
    const inline = computeUsage({
      workload: ONE,
      assumptions: { ...ASSUME, fanOutInlineLimit: Number.POSITIVE_INFINITY },
    });
    expect(inline.sqsPollRequests).toBe(0);
  });

  it('prices custom metrics and alarms per month', () => {
    const { bill: withOps } = estimate({
      workload: ONE,
      assumptions: { ...ASSUME, customMetrics: 3, alarms: 2 },
    });
    expect(lineOf(withOps.lines, 'CloudWatch', 'custom metrics').usd).toBeCloseTo(3 * 0.3, 12);
    expect(lineOf(withOps.lines, 'CloudWatch', 'alarms').usd).toBeCloseTo(2 * 0.1, 12);
  });

  it('runs the authorizer once per connect, at the route memory, when auth is on', () => {
    const authed = computeUsage({
      workload: ONE,
      assumptions: { ...ASSUME, authorizerInvocationsPerConnect: 1 },
    });
    expect(authed.invocations.authorizer).toBe(1);
    expect(authed.lambdaRequests).toBe(5);
    // One more 10 ms invocation at 0.25 GB.
    expect(authed.lambdaGbSeconds).toBeCloseTo((0.041 + 0.01) * 0.25, 12);
  });

  it('writes META once per message for the rate limit: subscribe, publish and each ping', () => {
    const limited = computeUsage({
      workload: { ...ONE, pingsPerConnectionPerHour: 2 },
      assumptions: { ...ASSUME, rateLimitWritesPerMessage: 1 },
    });
    const unlimited = computeUsage({
      workload: { ...ONE, pingsPerConnectionPerHour: 2 },
      assumptions: ASSUME,
    });
    expect(limited.writeUnits - unlimited.writeUnits).toBe(1 + 1 + 2);
  });

  it('bills each secret a month at the Secrets Manager price', () => {
    const { bill: withSecret } = estimate({ workload: ONE, assumptions: { ...ASSUME, secrets: 1 } });
    expect(lineOf(withSecret.lines, 'Secrets Manager', 'token secret').usd).toBeCloseTo(0.4, 12);
  });

  it('reads half as much with eventually consistent subscriber queries', () => {
    const eventual = computeUsage({ workload: ONE, assumptions: { ...ASSUME, readConsistency: 'eventual' } });
    // The subscribers page halves (1 → 0.5); the META read, the user count and the GSI query stay.
    expect(eventual.readUnits).toBe(2.5);
  });

  it('adds a ping and a pong per ping, with one more invocation', () => {
    const pinging = computeUsage({ workload: { ...ONE, pingsPerConnectionPerHour: 2 }, assumptions: ASSUME });
    expect(pinging.messagesIn).toBe(4);
    expect(pinging.messagesOut).toBe(5);
    expect(pinging.lambdaRequests).toBe(6);
  });
});

describe('32 KB message metering', () => {
  it('counts 32768 bytes as 1 unit and 32769 as 2', () => {
    expect(messageUnits(1)).toBe(1);
    expect(messageUnits(32_768)).toBe(1);
    expect(messageUnits(32_769)).toBe(2);
    expect(messageUnits(65_536)).toBe(2);
    expect(messageUnits(65_537)).toBe(3);
  });

  it('meters both the publish request and every post by size, but the acks as 1', () => {
    const at = (messageBytes: number) =>
      computeUsage({ workload: { ...ONE, messageBytes, subscribersPerMessage: 3 }, assumptions: ASSUME });
    expect(at(32_768)).toMatchObject({ messagesIn: 2, messagesOut: 5 });
    expect(at(32_769)).toMatchObject({ messagesIn: 3, messagesOut: 8 });
  });

  it('prices a 40,000-byte message to 3 subscribers as 2 units in and 2 units per post', () => {
    // In: subscribe (1) + publish (2 units). Out: subscribed and published acks (1 each) + 3 posts × 2 units.
    const { bill } = estimate({
      workload: { ...ONE, messageBytes: 40_000, subscribersPerMessage: 3 },
      assumptions: ASSUME,
    });
    const messages = lineOf(bill.lines, 'API Gateway', 'messages');
    expect(messages.quantity).toBe(3 + 8);
    expect(messages.usd).toBeCloseTo(11 * unitUsd('apiGatewayMessage'), 15);
  });

  it('prices connection-minutes for 10,000 connections, 8 h a day for 30 days', () => {
    const { bill } = estimate({
      workload: { ...ONE, connections: 10_000, hoursPerDay: 8, daysPerMonth: 30 },
      assumptions: ASSUME,
    });
    const minutes = lineOf(bill.lines, 'API Gateway', 'connection-minutes');
    expect(minutes.quantity).toBe(10_000 * 8 * 60 * 30);
    expect(minutes.usd).toBeCloseTo(144 * 0.25, 9);
  });
});

describe('DynamoDB units', () => {
  it('rounds a query page up to 4 KB, charges an empty page, and halves eventually consistent reads', () => {
    expect(queryReadUnits(0, 100, 'strong')).toBe(1);
    expect(queryReadUnits(40, 100, 'strong')).toBe(1);
    expect(queryReadUnits(41, 100, 'strong')).toBe(2);
    expect(queryReadUnits(41, 100, 'eventual')).toBe(1);
    expect(queryReadUnits(3, 70, 'eventual')).toBe(0.5);
  });

  it('reads 1 MB pages: 50,000 items of 100 B are 4 pages of 10,485 (256 units) and one of 8,060 (197)', () => {
    expect(queryReadUnits(50_000, 100, 'strong')).toBe(4 * 256 + 197);
  });

  it('asks once more, for an empty page, after a page cut at exactly 1 MB', () => {
    expect(queryReadUnits(10_485, 100, 'strong')).toBe(256 + 1);
  });

  it('writes 1 unit per KB, at least 1', () => {
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  it('pays 5 write units more per extra subscription: its put and delete, each also in the GSI, and its count', () => {
    const units = (subscribesPerConnection: number) =>
      computeUsage({ workload: { ...ONE, subscribesPerConnection }, assumptions: ASSUME }).writeUnits;
    expect(units(0)).toBe(13);
    expect(units(3)).toBe(13 + 3 * 5);
  });
});

describe('Lambda billing', () => {
  it('rounds each invocation up to the whole ms, at least 1', () => {
    expect(billedMs(10.3)).toBe(11);
    expect(billedMs(10 + 100 * 0.3)).toBe(40);
    expect(billedMs(0)).toBe(1);
  });

  it('bills GB-seconds at the function memory', () => {
    const at = (memoryMb: number) =>
      computeUsage({ workload: ONE, assumptions: { ...ASSUME, memoryMb } }).lambdaGbSeconds;
    expect(at(1024)).toBeCloseTo(0.041, 12);
    expect(at(256)).toBeCloseTo(0.01025, 12);
  });
});

describe('the SQS fan-out path', () => {
  const big = { ...ONE, subscribersPerMessage: 250 };
  /** A post slice body by hand: 79 B of JSON, the 512 B frame in base64 (684 B), ids of 16 chars quoted. */
  const postSliceBytes = (ids: number) => 79 + 684 + ids * 18 + (ids - 1);

  it('stays inline below the inline limit and queues at it', () => {
    expect(publishProfile({ ...ONE, subscribersPerMessage: 99 }, ASSUME).path).toBe('inline');
    expect(publishProfile({ ...ONE, subscribersPerMessage: 100 }, ASSUME).path).toBe('queued');
    expect(publishProfile(big, { ...ASSUME, fanOutInlineLimit: Number.POSITIVE_INFINITY }).path).toBe(
      'inline',
    );
  });

  it('queues every non-empty audience at an inline limit of 0, and never an empty one', () => {
    const zero = { ...ASSUME, fanOutInlineLimit: 0 };
    expect(publishProfile({ ...ONE, subscribersPerMessage: 1 }, zero)).toMatchObject({
      path: 'queued',
      workerInvocations: 1,
    });
    expect(publishProfile({ ...ONE, subscribersPerMessage: 0 }, zero)).toMatchObject({
      path: 'inline',
      sqsRequests: 0,
    });
  });

  it('measures a post slice as the adapter encodes it', () => {
    expect(sliceBodyBytes('post', 100, 512)).toBe(postSliceBytes(100));
    expect(sliceBodyBytes('post', 1, 512)).toBe(postSliceBytes(1));
  });

  it('sends 250 recipients as a post slice of the first 100 and a chain of 2 page slices (100, then 50)', () => {
    const profile = publishProfile(big, ASSUME);
    const pageBytes = sliceBodyBytes('page', 0, 512);
    expect(profile).toMatchObject({
      path: 'queued',
      posts: 250,
      // The first page's post slice, then the page slices of ids 101-200 and 201-250.
      workerInvocations: 3,
      // One SendMessageBatch from the publish (both slices, < 64 KB), each slice received and deleted (4),
      // and the full page's next-page slice sent, received and deleted (3).
      sqsRequests: 1 + 4 + 3,
      // 10 ms + 1 batch of 0.3 ms = 10.3 → 11; workers 10 + 100 × 0.3 = 40, 10 + 101 × 0.3 = 40.3 → 41 (its
      // posts and the next slice's send), 10 + 50 × 0.3 = 25.
      publishBilledMs: 11,
      workerBilledMs: 40 + 41 + 25,
      sliceBytes: postSliceBytes(100),
      // The author's META (1), then pages of 100 × 100 B (3 units of 4 KB), 100 (3) and 50 (2).
      readUnits: 1 + 3 + 3 + 2,
      // Counter, kept message (512 + 200 B → 1) and trim.
      writeUnits: 3,
    });
    expect(pageBytes).toBeLessThan(postSliceBytes(100));
    const usage = computeUsage({ workload: big, assumptions: ASSUME });
    expect(usage.sqsRequests).toBe(8);
    expect(usage.invocations.fanoutWorker).toBe(3);
    expect(usage.lambdaRequests).toBe(7);
  });

  it('reads one empty page after a full last page, because DynamoDB returns a cursor at the Limit', () => {
    const profile = publishProfile({ ...ONE, subscribersPerMessage: 200 }, ASSUME);
    // Post slice 1-100; page slice 101-200 (full: sends the next); page slice of nothing.
    expect(profile.workerInvocations).toBe(3);
    expect(profile.readUnits).toBe(1 + 3 + 3 + 1);
  });

  it('bills the workers at the fan-out memory and the routes at the route memory', () => {
    const usage = computeUsage({ workload: big, assumptions: ASSUME });
    // Routes: connect 10, subscribe 10, publish 11, disconnect 10 ms at 0.25 GB; workers 106 ms at 1 GB.
    expect(usage.lambdaGbSeconds).toBeCloseTo(0.041 * 0.25 + 0.106 * 1, 12);
  });

  it('reads the first page with Limit = the larger of the inline limit and the slice size', () => {
    const profile = publishProfile(
      { ...ONE, subscribersPerMessage: 450 },
      { ...ASSUME, fanOutInlineLimit: 300, fanOutSliceSize: 100 },
    );
    // The publish reads 300 ids (3 post slices); pages 301-400 (full) and 401-450 follow.
    expect(profile.workerInvocations).toBe(3 + 2);
    expect(profile.sqsRequests).toBe(1 + 4 * 2 + 3);
  });

  it('batches the first slices by 10 and bills each batch by 64 KB chunks', () => {
    expect(sendBatches([1000, 1000])).toEqual({ calls: 1, requests: 1 });
    expect(sendBatches(Array.from({ length: 11 }, () => 100))).toEqual({ calls: 2, requests: 2 });
    expect(sendBatches([40_000, 40_000])).toEqual({ calls: 1, requests: 2 });
    expect(sendBatches([200_000, 100_000])).toEqual({ calls: 2, requests: 4 + 2 });
  });

  it('bills a body over 64 KB as 2 requests to receive, and a batch by its total', () => {
    expect(sqsRequestUnits(65_536)).toBe(1);
    expect(sqsRequestUnits(65_537)).toBe(2);
    const profile = publishProfile({ ...big, messageBytes: 65_536, subscribersPerMessage: 100 }, ASSUME);
    // A post slice of 1-100 and a page slice (which reads an empty page and sends nothing): both carry the
    // frame in base64 (~87 KB, 2 chunks). One publish batch (~177 KB: 3 chunks), then each slice received (2)
    // and deleted (1).
    expect(profile.sqsRequests).toBe(3 + 2 * (2 + 1));
  });

  it('warns when an inline fan-out outlasts the fan-out timeout', () => {
    const huge = { ...ONE, subscribersPerMessage: 50_000 };
    const inline = estimate({
      workload: huge,
      assumptions: { ...ASSUME, fanOutInlineLimit: Number.POSITIVE_INFINITY },
    });
    expect(inline.warnings.join('\n')).toContain('over the fan-out timeout of 10000 ms');
    expect(estimate({ workload: huge, assumptions: ASSUME }).warnings).toEqual([]);
  });
});

describe('tiered prices', () => {
  it('charges the first billion API Gateway messages at $1.00 per million and the rest at $0.80', () => {
    expect(tieredCost(1e9, PRICES.apiGatewayMessage)).toBeCloseTo(1000, 6);
    expect(tieredCost(1.5e9, PRICES.apiGatewayMessage)).toBeCloseTo(1400, 6);
  });

  it('charges Lambda arm64 GB-seconds in three bands', () => {
    expect(tieredCost(20e9, PRICES.lambdaArmGbSecond)).toBeCloseTo(
      7.5e9 * 0.0000133334 + 11.25e9 * 0.0000120001 + 1.25e9 * 0.0000106667,
      3,
    );
  });

  it("warns when the publishes exceed the publish route's own throttle, and not below it", () => {
    // 10,000 connections × 60 publishes an hour = 166.7 publishes/s against a throttle of 100/s.
    const busy = { ...ONE, connections: 10_000, messagesPerConnectionPerHour: 60 };
    const { usage, warnings } = estimate({ workload: busy, assumptions: ASSUME });
    expect(usage.publishesPerSecond).toBeCloseTo((10_000 * 60) / 3600, 6);
    expect(warnings.join('\n')).toContain(
      "167 publishes/s on average exceed the publish route's throttle of 100/s",
    );
    const calm = { ...ONE, connections: 10_000, messagesPerConnectionPerHour: 30 };
    expect(estimate({ workload: calm, assumptions: ASSUME }).warnings.join('\n')).not.toContain(
      'publish route',
    );
  });

  it('warns when the route requests exceed the stage throttle', () => {
    const busy = { ...ONE, connections: 100_000, messagesPerConnectionPerHour: 60 };
    expect(estimate({ workload: busy, assumptions: ASSUME }).warnings.join('\n')).toContain(
      "stage's default throttle",
    );
  });
});
