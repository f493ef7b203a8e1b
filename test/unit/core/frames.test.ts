import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import {
  assertFrameFits,
  broadcastFrame,
  encodeFrame,
  errorFrame,
  frameBytes,
  historyFrame,
  leaderboardFrame,
  messageEnvelope,
  pongFrame,
  presenceEvent,
  presenceFrame,
  publishedFrame,
  scoredFrame,
  subscribedFrame,
  unsubscribedFrame,
} from '../../../lambdas/core/frames.js';

describe('reply frames', () => {
  it('echo the request id when there is one', () => {
    expect(subscribedFrame('lobby', 4, {}, 1)).toEqual({
      type: 'subscribed',
      channel: 'lobby',
      seq: 4,
      id: 1,
    });
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
    expect(encodeFrame(subscribedFrame('lobby', 0))).toBe('{"type":"subscribed","channel":"lobby","seq":0}');
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

describe('subscribedFrame', () => {
  const message = messageEnvelope('lobby', 'hi', 'abc=', 3, 1_000, { clientId: 'ann' });
  const board = leaderboardFrame('lobby', 2, [{ rank: 1, player: 'ann', score: 9 }]);

  it('spreads the history page into the ack and nests the leaderboard, in that order', () => {
    const frame = subscribedFrame(
      'lobby',
      3,
      { history: { messages: [message], recovered: true, more: true }, leaderboard: board },
      'x',
    );

    expect(encodeFrame(frame)).toBe(
      JSON.stringify({
        type: 'subscribed',
        channel: 'lobby',
        seq: 3,
        messages: [message],
        recovered: true,
        more: true,
        leaderboard: {
          type: 'leaderboard',
          board: 'lobby',
          version: 2,
          top: [{ rank: 1, player: 'ann', score: 9 }],
        },
        id: 'x',
      }),
    );
  });

  it('has no messages or leaderboard key when neither was asked for or exists', () => {
    expect(Object.keys(subscribedFrame('lobby', 3, { leaderboard: undefined }))).toEqual([
      'type',
      'channel',
      'seq',
    ]);
  });
});

describe('frames of history, leaderboards and presence', () => {
  const ann = { clientId: 'ann', name: 'Ann', connectionId: 'c-1' };

  it('historyFrame carries the page and echoes the id only when given', () => {
    const page = { seq: 9, messages: [], recovered: false };

    expect(historyFrame('lobby', page, 4)).toEqual({
      type: 'history',
      channel: 'lobby',
      seq: 9,
      messages: [],
      recovered: false,
      id: 4,
    });
    expect(historyFrame('lobby', page)).not.toHaveProperty('id');
  });

  it('scoredFrame carries the new total and the version it produced', () => {
    expect(encodeFrame(scoredFrame('cup', 'ann', 120, 7, 's'))).toBe(
      '{"type":"scored","board":"cup","player":"ann","score":120,"version":7,"id":"s"}',
    );
  });

  it('leaderboardFrame carries the version and the ranking, without id when pushed', () => {
    const top = [
      { rank: 1, player: 'bob', score: 30 },
      { rank: 2, player: 'ann', score: 20 },
    ];

    expect(encodeFrame(leaderboardFrame('cup', 5, top))).toBe(
      `{"type":"leaderboard","board":"cup","version":5,"top":${JSON.stringify(top)}}`,
    );
    expect(leaderboardFrame('cup', 5, top, 0)).toMatchObject({ id: 0 });
  });

  it('presenceFrame lists the members and presenceEvent names the member who joined or left', () => {
    expect(presenceFrame('lobby', [ann], 'p')).toEqual({
      type: 'presence',
      channel: 'lobby',
      members: [ann],
      id: 'p',
    });
    expect(encodeFrame(presenceEvent('join', 'lobby', ann))).toBe(
      '{"type":"join","channel":"lobby","member":{"clientId":"ann","name":"Ann","connectionId":"c-1"}}',
    );
    expect(presenceEvent('leave', 'lobby', ann).type).toBe('leave');
  });
});

describe('messageEnvelope with an author', () => {
  it('puts the author between from and seq', () => {
    const envelope = messageEnvelope('lobby', 1, 'abc=', 7, 5, { clientId: 'ann', name: 'Ann' });

    expect(encodeFrame(envelope)).toBe(
      '{"type":"message","channel":"lobby","data":1,"from":"abc=","author":{"clientId":"ann","name":"Ann"},"seq":7,"sentAt":5}',
    );
  });
});
