import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { parseRequest, parseRequestFor } from '../../../lambdas/core/protocol.js';

const rejectionOf = (body: string | undefined): ProtocolError => {
  try {
    parseRequest(body);
  } catch (error) {
    if (error instanceof ProtocolError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${body} to be rejected`);
};

const json = (value: unknown): string => JSON.stringify(value);

describe('parseRequest', () => {
  describe('valid requests', () => {
    it('parses a subscribe with its channel and id', () => {
      expect(parseRequest(json({ action: 'subscribe', channel: 'lobby', id: 'a1' }))).toEqual({
        action: 'subscribe',
        channel: 'lobby',
        id: 'a1',
      });
    });

    it('parses an unsubscribe without an id', () => {
      expect(parseRequest(json({ action: 'unsubscribe', channel: 'games/42' }))).toEqual({
        action: 'unsubscribe',
        channel: 'games/42',
      });
    });

    it('parses a publish keeping any JSON data, null included', () => {
      expect(
        parseRequest(json({ action: 'publish', channel: 'lobby', data: { score: [1, 2] }, id: 3 })),
      ).toEqual({
        action: 'publish',
        channel: 'lobby',
        data: { score: [1, 2] },
        id: 3,
      });
      expect(parseRequest(json({ action: 'publish', channel: 'lobby', data: null }))).toMatchObject({
        data: null,
      });
    });

    it('parses a sendmessage and a ping', () => {
      expect(parseRequest(json({ action: 'sendmessage', data: 'hi' }))).toEqual({
        action: 'sendmessage',
        data: 'hi',
      });
      expect(parseRequest(json({ action: 'ping', id: 0 }))).toEqual({ action: 'ping', id: 0 });
    });

    it('accepts every allowed channel character and exactly 128 characters', () => {
      const allowed = 'AZaz09_-.:@/';
      expect(parseRequest(json({ action: 'subscribe', channel: allowed }))).toMatchObject({
        channel: allowed,
      });
      const longest = 'c'.repeat(128);
      expect(parseRequest(json({ action: 'subscribe', channel: longest }))).toMatchObject({
        channel: longest,
      });
    });

    it('ignores fields it does not know', () => {
      expect(parseRequest(json({ action: 'ping', extra: true }))).toEqual({ action: 'ping' });
    });
  });

  describe('INVALID_JSON', () => {
    it.each([
      ['malformed JSON', '{"action":"ping"'],
      ['an empty body', ''],
      ['no body at all', undefined],
    ])('rejects %s as not valid JSON', (_, body) => {
      const error = rejectionOf(body);
      expect(error.code).toBe('INVALID_JSON');
      expect(error.message).toBe('message is not valid JSON');
    });

    it.each([
      ['an array', '[{"action":"ping"}]'],
      ['a number', '42'],
      ['a string', '"ping"'],
      ['null', 'null'],
    ])('rejects %s as not a JSON object', (_, body) => {
      const error = rejectionOf(body);
      expect(error.code).toBe('INVALID_JSON');
      expect(error.message).toBe('message must be a JSON object');
    });
  });

  describe('UNKNOWN_ACTION', () => {
    it('rejects a missing action, echoing the id', () => {
      const error = rejectionOf(json({ channel: 'lobby', id: 9 }));
      expect(error.code).toBe('UNKNOWN_ACTION');
      expect(error.message).toBe('action is required');
      expect(error.requestId).toBe(9);
    });

    it('rejects an action that is not a string', () => {
      const error = rejectionOf(json({ action: 5 }));
      expect(error.code).toBe('UNKNOWN_ACTION');
      expect(error.message).toBe('action must be a string');
    });

    it('rejects an unknown action, naming it and echoing the id', () => {
      const error = rejectionOf(json({ action: 'dance', id: 'x' }));
      expect(error.code).toBe('UNKNOWN_ACTION');
      expect(error.message).toContain('"dance"');
      expect(error.requestId).toBe('x');
    });

    it.each(['constructor', 'toString', '__proto__'])('rejects the object-prototype name %s', (action) => {
      expect(rejectionOf(json({ action })).code).toBe('UNKNOWN_ACTION');
    });

    it('quotes at most 64 characters of a long unknown action', () => {
      const error = rejectionOf(json({ action: 'x'.repeat(10_000) }));
      expect(error.message).toContain(`"${'x'.repeat(64)}…"`);
      expect(error.message.length).toBeLessThan(200);
    });

    it('matches actions case-sensitively, as API Gateway route keys do', () => {
      expect(rejectionOf(json({ action: 'Ping' })).code).toBe('UNKNOWN_ACTION');
    });
  });

  describe('INVALID_REQUEST', () => {
    it('rejects a missing channel, naming the field', () => {
      const error = rejectionOf(json({ action: 'subscribe', id: 1 }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('channel is required');
      expect(error.requestId).toBe(1);
    });

    it.each([5, true, null, ['lobby'], { name: 'lobby' }])(
      'rejects a channel of the wrong type (%j)',
      (channel) => {
        const error = rejectionOf(json({ action: 'unsubscribe', channel }));
        expect(error.code).toBe('INVALID_REQUEST');
        expect(error.message).toBe('channel must be a string');
      },
    );

    it('rejects a publish without data', () => {
      const error = rejectionOf(json({ action: 'publish', channel: 'lobby', id: 'p' }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('data is required');
      expect(error.requestId).toBe('p');
    });

    it('rejects a sendmessage without data', () => {
      const error = rejectionOf(json({ action: 'sendmessage' }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('data is required');
    });

    it.each([true, null, { n: 1 }, [1]])('rejects an id of the wrong type (%j) without echoing it', (id) => {
      const error = rejectionOf(json({ action: 'ping', id }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('id must be a string or a number');
      expect(error.requestId).toBeUndefined();
    });
  });

  describe('INVALID_CHANNEL', () => {
    it('rejects an empty channel', () => {
      const error = rejectionOf(json({ action: 'subscribe', channel: '', id: 2 }));
      expect(error.code).toBe('INVALID_CHANNEL');
      expect(error.message).toBe('channel must not be empty');
      expect(error.requestId).toBe(2);
    });

    it('rejects a channel longer than 128 characters', () => {
      const error = rejectionOf(json({ action: 'subscribe', channel: 'c'.repeat(129) }));
      expect(error.code).toBe('INVALID_CHANNEL');
      expect(error.message).toBe('channel must be at most 128 characters');
    });

    it.each(['lobby room', 'a#b', 'lobby\n', 'café', 'a*', 'x?y'])(
      'rejects the forbidden characters in %j',
      (channel) => {
        const error = rejectionOf(json({ action: 'publish', channel, data: 1 }));
        expect(error.code).toBe('INVALID_CHANNEL');
        expect(error.message).toContain('channel may only contain');
      },
    );
  });
});

describe('parseRequestFor', () => {
  it('returns the request when its action is the expected one', () => {
    expect(parseRequestFor(json({ action: 'ping', id: 4 }), 'ping')).toEqual({ action: 'ping', id: 4 });
  });

  it('rejects a request for another action with UNKNOWN_ACTION, echoing the id', () => {
    expect(() => parseRequestFor(json({ action: 'ping', id: 4 }), 'publish')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_ACTION', requestId: 4 }),
    );
  });
});
