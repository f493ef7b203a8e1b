import { describe, expect, it } from 'vitest';
import { computeUsage } from '../../../bench/cost/model.js';
import {
  CostOptionsError,
  DEFAULT_ASSUMPTIONS,
  DEFAULT_WORKLOAD,
  PRESETS,
  parseCostOptions,
} from '../../../bench/cost/options.js';
import { REALTIME_API_DEFAULTS } from '../../../lib/realtime-api-props.js';

const ISSUE_COMMAND = [
  '--connections',
  '10000',
  '--hours-per-day',
  '8',
  '--messages-per-connection-per-hour',
  '30',
  '--subscribers-per-message',
  '50',
];

const estimateOf = (argv: readonly string[]) => {
  const command = parseCostOptions(argv);
  if (command.kind !== 'estimate') throw new Error(`expected an estimate, got ${command.kind}`);
  return command;
};

const rejects = (argv: readonly string[], message: string | RegExp): void => {
  expect(() => parseCostOptions(argv)).toThrow(CostOptionsError);
  expect(() => parseCostOptions(argv)).toThrow(message);
};

describe('parseCostOptions', () => {
  it('returns the chat workload and the default assumptions when no flag is given', () => {
    expect(parseCostOptions([])).toEqual({
      kind: 'estimate',
      preset: undefined,
      workload: DEFAULT_WORKLOAD,
      assumptions: DEFAULT_ASSUMPTIONS,
    });
    expect(DEFAULT_WORKLOAD).toEqual(PRESETS.chat.workload);
  });

  it("reads the issue's command, which is the chat preset", () => {
    expect(estimateOf(ISSUE_COMMAND).workload).toEqual(PRESETS.chat.workload);
  });

  it('takes the memory size, throttle, fan-out timeout and log retention from the stack defaults', () => {
    expect(DEFAULT_ASSUMPTIONS.memoryMb).toBe(REALTIME_API_DEFAULTS.memorySize);
    expect(DEFAULT_ASSUMPTIONS.stageRateLimit).toBe(REALTIME_API_DEFAULTS.throttle.rateLimit);
    expect(DEFAULT_ASSUMPTIONS.fanOutTimeoutMs).toBe(REALTIME_API_DEFAULTS.fanOutTimeout.toMilliseconds());
    expect(DEFAULT_ASSUMPTIONS.logRetentionDays).toBe(REALTIME_API_DEFAULTS.logRetention);
  });

  it('lets flags override a preset', () => {
    const command = estimateOf(['--workload', 'lobby', '--connections', '500', '--message-bytes=1000']);
    expect(command.preset).toBe('lobby');
    expect(command.workload).toEqual({ ...PRESETS.lobby.workload, connections: 500, messageBytes: 1000 });
  });

  it('reads every assumption flag', () => {
    const command = estimateOf([
      '--memory-mb=1024',
      '--fanout-memory-mb=2048',
      '--base-ms=2.5',
      '--post-us=109',
      '--read-consistency=eventual',
      '--subscription-item-bytes=200',
      '--index-item-bytes=80',
      '--fanout-inline-limit=none',
      '--fanout-slice-size=250',
      '--log-bytes-per-invocation=0',
      '--fanout-log-bytes=0',
      '--access-log-bytes=0',
      '--custom-metrics=5',
      '--alarms=3',
      '--region=us-east-1',
    ]);
    expect(command.assumptions).toEqual({
      ...DEFAULT_ASSUMPTIONS,
      memoryMb: 1024,
      fanOutMemoryMb: 2048,
      baseMs: 2.5,
      postUs: 109,
      readConsistency: 'eventual',
      subscriptionItemBytes: 200,
      indexItemBytes: 80,
      fanOutInlineLimit: Number.POSITIVE_INFINITY,
      fanOutSliceSize: 250,
      logBytesPerInvocation: 0,
      fanoutLogBytes: 0,
      accessLogBytes: 0,
      customMetrics: 5,
      alarms: 3,
    });
    expect(estimateOf(['--fanout-inline-limit', '0']).assumptions.fanOutInlineLimit).toBe(0);
  });

  it('takes --fanout-threshold as the old name of --fanout-inline-limit, but not both', () => {
    expect(estimateOf(['--fanout-threshold', '500']).assumptions.fanOutInlineLimit).toBe(500);
    expect(estimateOf(['--fanout-threshold', 'none']).assumptions.fanOutInlineLimit).toBe(
      Number.POSITIVE_INFINITY,
    );
    rejects(['--fanout-threshold', '5', '--fanout-inline-limit', '5'], 'give one of them');
  });

  it('accepts a fractional publish rate and zero connections', () => {
    expect(
      estimateOf(['--messages-per-connection-per-hour', '0.25', '--connections', '0']).workload,
    ).toMatchObject({
      messagesPerConnectionPerHour: 0.25,
      connections: 0,
    });
  });

  it('rejects negative numbers, whether written with = or as the next argument', () => {
    rejects(['--connections=-5'], '--connections must be an integer from 0 to');
    rejects(['--connections', '-5'], /--connections/);
    rejects(['--post-us=-1'], '--post-us must be a number from 0 to');
  });

  it('rejects NaN, text, empty values and fractions where an integer is needed', () => {
    rejects(['--hours-per-day', 'NaN'], '--hours-per-day must be a number from 0 to 24, got "NaN"');
    rejects(['--message-bytes', 'abc'], '--message-bytes must be an integer from 1 to 131072, got "abc"');
    rejects(['--connections', ''], '--connections must be an integer');
    rejects(['--subscribers-per-message', '2.5'], '--subscribers-per-message must be an integer');
    rejects(['--base-ms', 'Infinity'], '--base-ms must be a number');
  });

  it('rejects values out of range', () => {
    rejects(['--hours-per-day', '25'], 'from 0 to 24');
    rejects(['--session-minutes', '121'], '--session-minutes must be a number above 0 to 120');
    rejects(['--session-minutes', '0'], 'above 0');
    rejects(['--message-bytes', '131073'], 'from 1 to 131072');
    rejects(['--memory-mb', '64'], 'from 128 to 10240');
  });

  it('rejects unknown flags, positionals and unknown choices', () => {
    rejects(['--bogus', '1'], "Unknown option '--bogus'");
    rejects(['extra'], /positional/i);
    rejects(['--workload', 'party'], '--workload must be one of lobby, chat, broadcast, got "party"');
    rejects(['--read-consistency', 'maybe'], '--read-consistency must be one of strong, eventual');
    rejects(['--region', 'eu-west-1'], '--region must be one of us-east-1');
    rejects(['--fanout-threshold', 'never'], '--fanout-threshold must be an integer');
    rejects(['--fanout-inline-limit=-1'], '--fanout-inline-limit must be an integer from 0');
    rejects(['--fanout-slice-size', '2001'], '--fanout-slice-size must be an integer from 1 to 2000');
  });

  it('takes no workload flag with --markdown, but keeps the assumption flags', () => {
    expect(parseCostOptions(['--markdown', '--post-us', '109'])).toEqual({
      kind: 'markdown',
      assumptions: { ...DEFAULT_ASSUMPTIONS, postUs: 109 },
    });
    rejects(['--markdown', '--connections', '5'], '--markdown prints the three presets');
    rejects(['--markdown', '--workload', 'chat'], 'drop --workload');
  });

  it('returns help for --help and -h', () => {
    expect(parseCostOptions(['--help'])).toEqual({ kind: 'help' });
    expect(parseCostOptions(['-h'])).toEqual({ kind: 'help' });
  });
});

describe('presets', () => {
  it('are lobby, chat and broadcast, in that order, and each parses back to itself', () => {
    expect(Object.keys(PRESETS)).toEqual(['lobby', 'chat', 'broadcast']);
    for (const name of Object.keys(PRESETS) as (keyof typeof PRESETS)[]) {
      expect(estimateOf(['--workload', name]).workload).toEqual(PRESETS[name].workload);
    }
  });

  it('lobby: 2,000 players in lobbies of 16, a state update every 30 s', () => {
    expect(PRESETS.lobby.workload).toMatchObject({
      connections: 2_000,
      subscribersPerMessage: 16,
      messagesPerConnectionPerHour: 120,
    });
  });

  it('broadcast: one announcer, 720 messages an hour, to all 50,000 viewers through SQS', () => {
    const { workload } = PRESETS.broadcast;
    expect(workload.connections * workload.messagesPerConnectionPerHour).toBeCloseTo(720, 9);
    expect(workload.subscribersPerMessage).toBe(workload.connections);
    const usage = computeUsage({ workload, assumptions: DEFAULT_ASSUMPTIONS });
    expect(usage.publish.path).toBe('queued');
    // 720 publishes an hour, 2 h a day, 30 days. Each: one batch of the first 1,000 ids and the chain's first
    // page slice (1 request), both received and deleted (4), then 49 full pages, each sending, receiving and
    // deleting its successor (3 each); the 50th page slice reads an empty page.
    expect(usage.invocations.publish).toBeCloseTo(43_200, 6);
    expect(usage.publish.workerInvocations).toBe(1 + 50);
    expect(usage.sqsRequests).toBeCloseTo(43_200 * (1 + 4 + 49 * 3), 3);
  });

  it('fan out chat and lobby messages inline', () => {
    for (const preset of [PRESETS.chat, PRESETS.lobby]) {
      expect(computeUsage({ workload: preset.workload, assumptions: DEFAULT_ASSUMPTIONS }).publish.path).toBe(
        'inline',
      );
    }
  });
});
