import { describe, expect, it } from 'vitest';
import { benchData, readBenchData, rejectionOf } from '../../bench/realtime/payload.js';

describe('readBenchData', () => {
  const data = benchData('r1', 3, 12.5, 8);

  it('reads a broadcast frame, which is the raw JSON of data', () => {
    expect(readBenchData(JSON.stringify(data))).toEqual(data);
  });

  it('reads the data out of a channel message envelope', () => {
    const frame = JSON.stringify({ type: 'message', channel: 'c', data, from: 'x', seq: 1, sentAt: 1 });

    expect(readBenchData(frame)).toEqual(data);
  });

  it('ignores acks, errors, non-JSON and foreign JSON', () => {
    expect(readBenchData('{"type":"published","channel":"c","seq":1,"delivered":2}')).toBeUndefined();
    expect(readBenchData('{"type":"error","code":"INTERNAL_ERROR","message":"x"}')).toBeUndefined();
    expect(readBenchData('hello everyone')).toBeUndefined();
    expect(readBenchData('null')).toBeUndefined();
  });
});

describe('benchData', () => {
  it('pads the data to the configured size', () => {
    expect(benchData('r', 0, 0, 32).pad).toHaveLength(32);
  });
});

describe('rejectionOf', () => {
  it("names API Gateway's own refusals by their message", () => {
    const frame = '{"message":"Too many requests","connectionId":"abc=","requestId":"def="}';

    expect(rejectionOf(frame)).toBe('gateway: Too many requests');
  });

  it('names protocol errors by their code', () => {
    expect(rejectionOf('{"type":"error","code":"INTERNAL_ERROR","message":"x"}')).toBe(
      'error: INTERNAL_ERROR',
    );
  });

  it('ignores messages, acks and non-JSON', () => {
    expect(rejectionOf('{"type":"subscribed","channel":"c"}')).toBeUndefined();
    expect(rejectionOf(JSON.stringify(benchData('r', 0, 0, 1)))).toBeUndefined();
    expect(rejectionOf('hello')).toBeUndefined();
  });
});
