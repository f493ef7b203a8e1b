import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import {
  assertFrameFits,
  broadcastFrame,
  encodeFrame,
  errorFrame,
  frameBytes,
  messageEnvelope,
  pongFrame,
  publishedFrame,
  subscribedFrame,
  unsubscribedFrame,
} from '../../../lambdas/core/frames.js';

describe('reply frames', () => {
  it('echo the request id when there is one', () => {
    expect(subscribedFrame('lobby', 1)).toEqual({ type: 'subscribed', channel: 'lobby', id: 1 });
    expect(unsubscribedFrame('lobby', 'u')).toEqual({ type: 'unsubscribed', channel: 'lobby', id: 'u' });
    expect(publishedFrame('lobby', 7, 3, 0)).toEqual({
      type: 'published',
      channel: 'lobby',
      seq: 7,
      delivered: 3,
      id: 0,
    });
    expect(pongFrame('p')).toEqual({ type: 'pong', id: 'p' });
    expect(errorFrame('INVALID_JSON', 'bad', 5)).toEqual({
      type: 'error',
      code: 'INVALID_JSON',
      message: 'bad',
      id: 5,
    });
  });

  it('carry no id key at all when the request had none', () => {
    expect(encodeFrame(subscribedFrame('lobby'))).toBe('{"type":"subscribed","channel":"lobby"}');
    expect(encodeFrame(pongFrame())).toBe('{"type":"pong"}');
    expect(encodeFrame(errorFrame('UNKNOWN_ACTION', 'nope'))).toBe(
      '{"type":"error","code":"UNKNOWN_ACTION","message":"nope"}',
    );
  });
});

describe('messageEnvelope', () => {
  it('serializes in the documented field order', () => {
    const envelope = messageEnvelope('lobby', { score: 42 }, 'abc=', 7, 1_764_150_000_000);
    expect(encodeFrame(envelope)).toBe(
      '{"type":"message","channel":"lobby","data":{"score":42},"from":"abc=","seq":7,"sentAt":1764150000000}',
    );
  });
});

describe('broadcastFrame', () => {
  it('sends a string as is and anything else as JSON', () => {
    expect(broadcastFrame('hello everyone')).toBe('hello everyone');
    expect(broadcastFrame({ a: 1 })).toBe('{"a":1}');
    expect(broadcastFrame(42)).toBe('42');
    expect(broadcastFrame(null)).toBe('null');
  });
});

describe('assertFrameFits', () => {
  it('accepts a frame of exactly 128 KiB', () => {
    expect(() => assertFrameFits('x'.repeat(MAX_FRAME_BYTES), 'frame')).not.toThrow();
  });

  it('rejects one byte more with PAYLOAD_TOO_LARGE', () => {
    const error = (() => {
      try {
        assertFrameFits('x'.repeat(MAX_FRAME_BYTES + 1), 'the message');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((error as Error).message).toContain('131073 bytes');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const twoByteChars = 'é'.repeat(MAX_FRAME_BYTES / 2 + 1);
    expect(twoByteChars.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(frameBytes(twoByteChars)).toBe(MAX_FRAME_BYTES + 2);
    expect(() => assertFrameFits(twoByteChars, 'frame')).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });
});
