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
  sqsRequestUnits,
  type Workload,
  writeUnits,
} from '../../../bench/cost/model.js';
import { DEFAULT_ASSUMPTIONS } from '../../../bench/cost/options.js';
import { PRICES, tieredCost } from '../../../bench/cost/prices.js';
import { FAN_OUT_ROUTES } from '../../../lambdas/adapters/metrics.js';
import { alarmCount } from '../../../lib/observability.js';
import { ROUTES } from '../../../lib/routes.js';

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

/** The defaults, spelled out, so a changed default shows up here rather than silently moving the figures. */
const ASSUME: Assumptions = {
  memoryMb: 256,
  baseMs: 10,
  postUs: 300,
  readConsistency: 'strong',
  subscriptionItemBytes: 100,
  indexItemBytes: 70,
  fanoutThreshold: 100,
  fanoutSliceSize: 100,
  logBytesPerInvocation: 350,
  fanoutLogBytes: 300,
  accessLogBytes: 600,
  emfBytesPerFanOut: 470,
  customMetrics: 37,
  alarms: 36,
  dashboards: 1,
  sqsIdlePollers: 5,
  logRetentionDays: 30,
  stageRateLimit: 500,
  fanOutTimeoutMs: 10_000,
};

const lineOf = (lines: readonly BillLine[], service: string, item: string): BillLine => {
  const found = lines.find((l) => l.service === service && l.item.startsWith(item));
  if (found === undefined) throw new Error(`no line ${service} ${item}`);
  return found;
};

describe('the default assumptions', () => {
  it('are the ones the hand computations below use', () => {
    expect(DEFAULT_ASSUMPTIONS).toEqual(ASSUME);
  });

  it('count the metrics the functions publish and the alarms the stack defines', () => {
    // 7 fan-out routes × 5 metrics + QueueLag + ConnectionsPostFailed; 16 functions × 2 + 3 stack alarms + the DLQ's.
    expect(DEFAULT_ASSUMPTIONS.customMetrics).toBe(FAN_OUT_ROUTES.length * 5 + 2);
    expect(DEFAULT_ASSUMPTIONS.alarms).toBe(alarmCount(ROUTES.length + 3) + 1);
  });
});

describe('one connection for one hour, one message to one subscriber', () => {
  const { usage, bill, warnings } = estimate({ workload: ONE, assumptions: ASSUME });
  const line = (service: string, item: string): BillLine => lineOf(bill.lines, service, item);

  it('bills 60 connection-minutes at $0.25 per million', () => {
    expect(line('API Gateway', 'connection-minutes').quantity).toBe(60);
    expect(line('API Gateway', 'connection-minutes').usd).toBeCloseTo(0.000015, 12);
  });

  it('bills 2 messages in (subscribe, publish) and 3 out (subscribed ack, the post, published ack)', () => {
    expect(usage.messagesIn).toBe(2);
    expect(usage.messagesOut).toBe(3);
    expect(line('API Gateway', 'messages').quantity).toBe(5);
    expect(line('API Gateway', 'messages').usd).toBeCloseTo(0.000005, 12);
  });

  it('bills the post and two 64-byte acks as data out', () => {
    expect(usage.bytesOut).toBe(640);
    expect(line('Data transfer', 'out').usd).toBeCloseTo((640 / GIB) * 0.09, 15);
  });

  it('bills 4 Lambda requests: connect, subscribe, publish, disconnect', () => {
    expect(usage.invocations).toEqual({
      connect: 1,
      disconnect: 1,
      subscribe: 1,
      publish: 1,
      ping: 0,
      fanoutWorker: 0,
    });
    expect(line('Lambda', 'requests').usd).toBeCloseTo(0.0000008, 12);
  });

  it('bills 10 + 10 + 10 + 11 ms (10.3 rounded up) at 0.25 GB', () => {
    expect(line('Lambda', 'duration').quantity).toBeCloseTo(0.041 * 0.25, 12);
    expect(line('Lambda', 'duration').usd).toBeCloseTo(0.01025 * 0.0000133334, 15);
  });

  it('bills 15 write units: connect 2 + 2 GSI, subscribe 1 + 1, counter 1, kept message 1 (512 + 200 B), trim 1, disconnect 3 + 3 GSI deletes', () => {
    expect(line('DynamoDB', 'write').quantity).toBe(15);
    expect(line('DynamoDB', 'write').usd).toBeCloseTo(15 * 0.000000625, 15);
  });

  it("bills 2.5 read units: the author's META (1), a strongly consistent subscribers page (1) and the GSI query on disconnect (0.5)", () => {
    expect(line('DynamoDB', 'read').quantity).toBe(2.5);
    expect(line('DynamoDB', 'read').usd).toBeCloseTo(2.5 * 0.000000125, 15);
  });

  it('bills storage of 1,200 bytes (690 in the table) for 1/720 of the month, table and backup', () => {
    expect(line('DynamoDB', 'storage').quantity).toBeCloseTo(1200 / 720 / GIB, 15);
    expect(line('DynamoDB', 'point-in-time').quantity).toBeCloseTo(690 / 720 / GIB, 15);
    expect(line('DynamoDB', 'storage').usd).toBeCloseTo((1200 / 720 / GIB) * 0.25, 15);
  });

  it('sends nothing through SQS', () => {
    expect(line('SQS', 'requests').quantity).toBe(0);
  });

  it('ingests 4 × 350 + 300 + 470 (EMF) Lambda log bytes and 4 × 600 access log bytes, and keeps them a month', () => {
    expect(line('CloudWatch', 'logs ingested').quantity).toBeCloseTo(4570 / GIB, 15);
    expect(line('CloudWatch', 'logs ingested').usd).toBeCloseTo((4570 / GIB) * 0.5, 15);
    expect(line('CloudWatch', 'logs stored').quantity).toBeCloseTo(4570 / GIB, 15);
    expect(line('CloudWatch', 'logs stored').usd).toBeCloseTo((4570 / GIB) * 0.03, 15);
  });

  it('bills the idle queue: 5 pollers × one 20 s long poll each, around the clock (648,000 requests)', () => {
    expect(line('SQS', 'idle long polls').quantity).toBe(648_000);
    expect(line('SQS', 'idle long polls').usd).toBeCloseTo(0.2592, 12);
  });

  it("bills the stack's 37 custom metrics, 36 alarms and 1 dashboard a month, and totals the lines", () => {
    expect(line('CloudWatch', 'custom metrics').usd).toBeCloseTo(11.1, 12);
    expect(line('CloudWatch', 'alarms').usd).toBeCloseTo(3.6, 12);
    expect(line('CloudWatch', 'dashboards').usd).toBeCloseTo(3, 12);
    expect(bill.totalUsd).toBeCloseTo(
      bill.lines.reduce((sum, l) => sum + l.usd, 0),
      15,
    );
    expect(warnings).toEqual([]);
  });

  it('bills no idle poll when every fan-out is inline (no queue)', () => {
    const inline = computeUsage({
      workload: ONE,
      assumptions: { ...ASSUME, fanoutThreshold: Number.POSITIVE_INFINITY },
    });
    expect(inline.sqsPollRequests).toBe(0);
  });

  it('prices custom metrics and alarms per month', () => {
    const { bill: withOps } = estimate({
      workload: ONE,
      assumptions: { ...ASSUME, customMetrics: 3, alarms: 2 },
    });
    expect(lineOf(withOps.lines, 'CloudWatch', 'custom metrics').usd).toBeCloseTo(0.9, 12);
    expect(lineOf(withOps.lines, 'CloudWatch', 'alarms').usd).toBeCloseTo(0.2, 12);
  });

  it('reads half as much with eventually consistent subscriber queries', () => {
    const eventual = computeUsage({ workload: ONE, assumptions: { ...ASSUME, readConsistency: 'eventual' } });
    // The subscribers page halves (1 → 0.5); the META read and the GSI query stay.
    expect(eventual.readUnits).toBe(2);
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

  it('pays 2 write units more per extra subscription: its put and delete, each also in the GSI', () => {
    const units = (subscribesPerConnection: number) =>
      computeUsage({ workload: { ...ONE, subscribesPerConnection }, assumptions: ASSUME }).writeUnits;
    expect(units(0)).toBe(11);
    expect(units(3)).toBe(11 + 3 * 4);
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

  it('stays inline at the threshold and queues above it', () => {
    expect(publishProfile({ ...ONE, subscribersPerMessage: 100 }, ASSUME).path).toBe('inline');
    expect(publishProfile({ ...ONE, subscribersPerMessage: 101 }, ASSUME).path).toBe('queued');
    expect(publishProfile(big, { ...ASSUME, fanoutThreshold: Number.POSITIVE_INFINITY }).path).toBe('inline');
  });

  it('sends 250 recipients as slices of 100, 100 and 50: send, receive and delete each', () => {
    const profile = publishProfile(big, ASSUME);
    expect(profile).toMatchObject({
      path: 'queued',
      posts: 250,
      workerInvocations: 3,
      sqsRequests: 9,
      // 10 ms + 3 sends of 0.3 ms = 10.9 → 11; workers 10 + 100 × 0.3 = 40, 40 and 10 + 50 × 0.3 = 25.
      publishBilledMs: 11,
      workerBilledMs: 105,
      // 512 B frame + 64 B of JSON + 100 ids of 19 B.
      sliceBytes: 2476,
      // The author's META (1), then 250 × 100 B = 25,000 B → 7 units of 4 KB.
      readUnits: 8,
      // Counter, kept message (512 + 200 B → 1) and trim.
      writeUnits: 3,
    });
    const usage = computeUsage({ workload: big, assumptions: ASSUME });
    expect(usage.sqsRequests).toBe(9);
    expect(usage.invocations.fanoutWorker).toBe(3);
    expect(usage.lambdaRequests).toBe(7);
  });

  it('bills a slice over 64 KB as 2 requests to send and 2 to receive', () => {
    expect(sqsRequestUnits(65_536)).toBe(1);
    expect(sqsRequestUnits(65_537)).toBe(2);
    const profile = publishProfile({ ...big, messageBytes: 65_536, subscribersPerMessage: 101 }, ASSUME);
    // Slices of 100 and 1: both over 64 KB with the frame alone.
    expect(profile.sqsRequests).toBe(2 * (2 * 2 + 1));
  });

  it('warns when an inline fan-out outlasts the fan-out timeout', () => {
    const huge = { ...ONE, subscribersPerMessage: 50_000 };
    const inline = estimate({
      workload: huge,
      assumptions: { ...ASSUME, fanoutThreshold: Number.POSITIVE_INFINITY },
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

  it('warns when the route requests exceed the stage throttle', () => {
    const busy = { ...ONE, connections: 100_000, messagesPerConnectionPerHour: 60 };
    expect(estimate({ workload: busy, assumptions: ASSUME }).warnings.join('\n')).toContain(
      "stage's default throttle",
    );
  });
});
