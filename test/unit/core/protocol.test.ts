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

describe('parseRequest: history, resume, presence and leaderboards', () => {
  describe('subscribe options', () => {
    it.each([
      ['history: true', { history: true }],
      ['history: false', { history: false }],
      ['history: 1', { history: 1 }],
      ['history: 100', { history: 100 }],
      ['since: 0', { since: 0 }],
      ['since: 41', { since: 41 }],
      ['presence: true', { presence: true }],
      ['presence: false', { presence: false }],
      ['all of them', { history: 5, since: 3, presence: true }],
    ])('accepts %s and keeps it', (_, fields) => {
      expect(parseRequest(json({ action: 'subscribe', channel: 'lobby', ...fields }))).toEqual({
        action: 'subscribe',
        channel: 'lobby',
        ...fields,
      });
    });

    it.each([
      ['0', 0],
      ['101', 101],
      ['1.5', 1.5],
      ['-1', -1],
      ['a string', 'yes'],
      ['null', null],
    ])('rejects history %s with INVALID_REQUEST', (_, history) => {
      const error = rejectionOf(json({ action: 'subscribe', channel: 'lobby', history, id: 3 }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('history must be true, false or an integer from 1 to 100');
      expect(error.requestId).toBe(3);
    });

    it.each([
      [-1, 'since must be at least 0'],
      [1.5, 'since must be an integer'],
      ['41', 'since must be an integer'],
      [null, 'since must be an integer'],
    ])('rejects since %j with INVALID_REQUEST: %s', (since, message) => {
      const error = rejectionOf(json({ action: 'subscribe', channel: 'lobby', since }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe(message);
    });

    it.each(['yes', 1, null])('rejects presence %j with INVALID_REQUEST', (presence) => {
      const error = rejectionOf(json({ action: 'subscribe', channel: 'lobby', presence }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe('presence must be true or false');
    });

    it('reports a bad channel before a bad option', () => {
      const error = rejectionOf(json({ action: 'subscribe', channel: 'a b', history: 0 }));
      expect(error.code).toBe('INVALID_CHANNEL');
    });
  });

  describe('history', () => {
    it('parses a history request with since and limit', () => {
      expect(
        parseRequest(json({ action: 'history', channel: 'lobby', since: 12, limit: 100, id: 'h' })),
      ).toEqual({
        action: 'history',
        channel: 'lobby',
        since: 12,
        limit: 100,
        id: 'h',
      });
    });

    it('parses a history request with the channel alone', () => {
      expect(parseRequest(json({ action: 'history', channel: 'games/1' }))).toEqual({
        action: 'history',
        channel: 'games/1',
      });
    });

    it.each([
      [{ limit: 0 }, 'limit must be at least 1'],
      [{ limit: 101 }, 'limit must be at most 100'],
      [{ limit: 2.5 }, 'limit must be an integer'],
      [{ limit: '10' }, 'limit must be an integer'],
      [{ since: -5 }, 'since must be at least 0'],
      [{ since: 0.5 }, 'since must be an integer'],
      [{ channel: undefined }, 'channel is required'],
      [{ channel: 9 }, 'channel must be a string'],
    ])('rejects %j with INVALID_REQUEST: %s', (fields, message) => {
      const error = rejectionOf(json({ action: 'history', channel: 'lobby', ...fields }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe(message);
    });

    it('rejects a bad channel name with INVALID_CHANNEL', () => {
      const error = rejectionOf(json({ action: 'history', channel: 'no spaces', id: 1 }));
      expect(error).toMatchObject({ code: 'INVALID_CHANNEL', requestId: 1 });
      expect(error.message).toBe('channel may only contain A-Z a-z 0-9 _ - . : @ /');
    });
  });

  describe('score', () => {
    it.each([1, -1, 0, 1_000_000, -1_000_000])('accepts %d points', (points) => {
      expect(parseRequest(json({ action: 'score', board: 'cup', player: 'ann', points, id: 1 }))).toEqual({
        action: 'score',
        board: 'cup',
        player: 'ann',
        points,
        id: 1,
      });
    });

    it('accepts every allowed player character and 64 of them', () => {
      for (const player of ['AZaz09_-.:@', 'p'.repeat(64)]) {
        expect(parseRequest(json({ action: 'score', board: 'cup', player, points: 1 }))).toMatchObject({
          player,
        });
      }
    });

    it.each([
      [{ points: 1.5 }, 'points must be an integer'],
      [{ points: '5' }, 'points must be an integer'],
      [{ points: null }, 'points must be an integer'],
      [{ points: undefined }, 'points is required'],
      [{ points: 1_000_001 }, 'points must be at most 1000000'],
      [{ points: -1_000_001 }, 'points must be at least -1000000'],
      [{ player: undefined }, 'player is required'],
      [{ player: 7 }, 'player must be a string'],
      [{ player: '' }, 'player must be 1-64 of A-Z a-z 0-9 _ - . : @'],
      [{ player: 'p'.repeat(65) }, 'player must be 1-64 of A-Z a-z 0-9 _ - . : @'],
      [{ player: 'a b' }, 'player must be 1-64 of A-Z a-z 0-9 _ - . : @'],
      [{ player: 'a/b' }, 'player must be 1-64 of A-Z a-z 0-9 _ - . : @'],
      [{ player: 'a#b' }, 'player must be 1-64 of A-Z a-z 0-9 _ - . : @'],
      [{ board: undefined }, 'board is required'],
      [{ board: 42 }, 'board must be a string'],
    ])('rejects %j with INVALID_REQUEST: %s', (fields, message) => {
      const error = rejectionOf(
        json({ action: 'score', board: 'cup', player: 'ann', points: 5, id: 's', ...fields }),
      );
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe(message);
      expect(error.requestId).toBe('s');
    });

    it.each([
      ['', 'board must not be empty'],
      ['b'.repeat(129), 'board must be at most 128 characters'],
      ['a b', 'board may only contain A-Z a-z 0-9 _ - . : @ /'],
      ['cup#1', 'board may only contain A-Z a-z 0-9 _ - . : @ /'],
    ])('rejects the board name %j with INVALID_CHANNEL: %s', (board, message) => {
      const error = rejectionOf(json({ action: 'score', board, player: 'ann', points: 5 }));
      expect(error.code).toBe('INVALID_CHANNEL');
      expect(error.message).toBe(message);
    });

    it('reports the board first, then the player, then the points', () => {
      expect(rejectionOf(json({ action: 'score', board: '', player: '', points: 0.5 })).message).toBe(
        'board must not be empty',
      );
      expect(rejectionOf(json({ action: 'score', board: 'cup', player: '', points: 0.5 })).message).toBe(
        'player must be 1-64 of A-Z a-z 0-9 _ - . : @',
      );
    });
  });

  describe('top', () => {
    it('parses a top request with and without a limit', () => {
      expect(parseRequest(json({ action: 'top', board: 'cup', limit: 100 }))).toEqual({
        action: 'top',
        board: 'cup',
        limit: 100,
      });
      expect(parseRequest(json({ action: 'top', board: 'cup', id: 2 }))).toEqual({
        action: 'top',
        board: 'cup',
        id: 2,
      });
    });

    it.each([
      [0, 'limit must be at least 1'],
      [101, 'limit must be at most 100'],
      [3.5, 'limit must be an integer'],
    ])('rejects limit %j with INVALID_REQUEST: %s', (limit, message) => {
      const error = rejectionOf(json({ action: 'top', board: 'cup', limit }));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toBe(message);
    });

    it('rejects a bad board name with INVALID_CHANNEL and a missing one with INVALID_REQUEST', () => {
      expect(rejectionOf(json({ action: 'top', board: 'x y' })).code).toBe('INVALID_CHANNEL');
      expect(rejectionOf(json({ action: 'top' }))).toMatchObject({
        code: 'INVALID_REQUEST',
        message: 'board is required',
      });
    });
  });

  describe('presence', () => {
    it('parses a presence request', () => {
      expect(parseRequest(json({ action: 'presence', channel: 'lobby', id: 'p' }))).toEqual({
        action: 'presence',
        channel: 'lobby',
        id: 'p',
      });
    });

    it('rejects a missing channel with INVALID_REQUEST and a bad one with INVALID_CHANNEL', () => {
      expect(rejectionOf(json({ action: 'presence' }))).toMatchObject({
        code: 'INVALID_REQUEST',
        message: 'channel is required',
      });
      expect(rejectionOf(json({ action: 'presence', channel: '' }))).toMatchObject({
        code: 'INVALID_CHANNEL',
        message: 'channel must not be empty',
      });
    });
  });

  it('lists the new actions among the expected ones for an unknown action', () => {
    expect(rejectionOf(json({ action: 'dance' })).message).toBe(
      'unknown action "dance"; expected one of sendmessage, subscribe, unsubscribe, publish, ping, history, score, top, presence, sendtouser',
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

describe('parseRequest: sendtouser', () => {
  it('parses a direct message with its user, data and id', () => {
    expect(
      parseRequest(json({ action: 'sendtouser', user: 'alice@example.com', data: { hi: 1 }, id: 4 })),
    ).toEqual({ action: 'sendtouser', user: 'alice@example.com', data: { hi: 1 }, id: 4 });
  });

  it('accepts a user id of 128 characters', () => {
    const user = 'u'.repeat(128);
    expect(parseRequest(json({ action: 'sendtouser', user, data: null }))).toMatchObject({ user });
  });

  it.each([
    ['missing', undefined, 'user is required'],
    ['not a string', 5, 'user must be a string'],
    ['empty', '', 'user must be 1-128 of A-Z a-z 0-9 _ . @ : -'],
    ['129 characters', 'u'.repeat(129), 'user must be 1-128 of A-Z a-z 0-9 _ . @ : -'],
    ['with a space', 'al ice', 'user must be 1-128 of A-Z a-z 0-9 _ . @ : -'],
    ['with a slash', 'a/b', 'user must be 1-128 of A-Z a-z 0-9 _ . @ : -'],
  ])('rejects a user that is %s with INVALID_REQUEST, echoing the id', (_, user, message) => {
    const error = rejectionOf(json({ action: 'sendtouser', user, data: 1, id: 'r1' }));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe(message);
    expect(error.requestId).toBe('r1');
  });

  it('rejects a direct message without data', () => {
    const error = rejectionOf(json({ action: 'sendtouser', user: 'alice' }));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe('data is required');
  });
});
