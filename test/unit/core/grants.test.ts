import { describe, expect, it } from 'vitest';
import {
  allows,
  type Grants,
  grantsFromJson,
  InvalidClaimsError,
  mayAccess,
  mayMessageUser,
  NO_GRANTS,
  parsePublicChannels,
  principalFromClaims,
} from '../../../lambdas/core/grants.js';

const grants = (channels: Grants['channels'], extra: Partial<Grants> = {}): Grants => ({
  channels,
  broadcast: false,
  users: [],
  ...extra,
});

describe('allows', () => {
  it('matches an exact channel name and only the listed operations', () => {
    const g = grants({ lobby: ['subscribe', 'history'] });

    expect(allows(g, 'subscribe', 'lobby')).toBe(true);
    expect(allows(g, 'history', 'lobby')).toBe(true);
    expect(allows(g, 'publish', 'lobby')).toBe(false);
    expect(allows(g, 'subscribe', 'lobby2')).toBe(false);
  });

  it('matches a prefix pattern and "*" operations', () => {
    const g = grants({ 'game-*': ['*'] });

    expect(allows(g, 'publish', 'game-1')).toBe(true);
    expect(allows(g, 'score', 'game-')).toBe(true);
    expect(allows(g, 'publish', 'games')).toBe(false);
    expect(allows(g, 'publish', 'xgame-1')).toBe(false);
  });

  it('matches every channel with the "*" pattern', () => {
    const g = grants({ '*': ['subscribe'] });

    expect(allows(g, 'subscribe', 'anything')).toBe(true);
    expect(allows(g, 'publish', 'anything')).toBe(false);
  });

  it('allows nothing with no grants', () => {
    expect(allows(NO_GRANTS, 'subscribe', 'lobby')).toBe(false);
  });
});

describe('mayMessageUser', () => {
  it('matches exact ids and prefix patterns', () => {
    const g = grants({}, { users: ['alice', 'team-*'] });

    expect(mayMessageUser(g, 'alice')).toBe(true);
    expect(mayMessageUser(g, 'team-bob')).toBe(true);
    expect(mayMessageUser(g, 'alice2')).toBe(false);
    expect(mayMessageUser(NO_GRANTS, 'alice')).toBe(false);
  });
});

describe('mayAccess', () => {
  const publicChannels = ['news', 'public-*'];

  it('lets any token holder read a public channel but not write to it', () => {
    expect(mayAccess(NO_GRANTS, publicChannels, 'subscribe', 'news')).toBe(true);
    expect(mayAccess(NO_GRANTS, publicChannels, 'presence', 'public-x')).toBe(true);
    expect(mayAccess(NO_GRANTS, publicChannels, 'history', 'news')).toBe(true);
    expect(mayAccess(NO_GRANTS, publicChannels, 'publish', 'news')).toBe(false);
    expect(mayAccess(NO_GRANTS, publicChannels, 'score', 'news')).toBe(false);
    expect(mayAccess(NO_GRANTS, publicChannels, 'subscribe', 'lobby')).toBe(false);
  });

  it('lets a grant write to a public channel', () => {
    expect(mayAccess(grants({ news: ['publish'] }), publicChannels, 'publish', 'news')).toBe(true);
  });

  it('allows everything with auth off except writing to a public channel', () => {
    expect(mayAccess(undefined, publicChannels, 'publish', 'lobby')).toBe(true);
    expect(mayAccess(undefined, publicChannels, 'subscribe', 'news')).toBe(true);
    expect(mayAccess(undefined, publicChannels, 'publish', 'news')).toBe(false);
    expect(mayAccess(undefined, [], 'score', 'news')).toBe(true);
  });
});

describe('parsePublicChannels', () => {
  it('splits, trims and drops blanks', () => {
    expect(parsePublicChannels(' news , public-*,,')).toEqual(['news', 'public-*']);
    expect(parsePublicChannels(undefined)).toEqual([]);
  });

  it('fails on a pattern that is not a channel name', () => {
    expect(() => parsePublicChannels('ok,bad channel')).toThrow(/PUBLIC_CHANNELS: "bad channel"/);
  });
});

describe('principalFromClaims', () => {
  it('reads sub, name and every grant', () => {
    const principal = principalFromClaims({
      sub: 'alice@example.com',
      name: 'Alice',
      exp: 1,
      channels: { 'game-*': ['subscribe', 'publish'], lobby: ['*'] },
      broadcast: true,
      users: ['bob', 'team-*'],
    });

    expect(principal).toEqual({
      userId: 'alice@example.com',
      name: 'Alice',
      grants: {
        channels: { 'game-*': ['subscribe', 'publish'], lobby: ['*'] },
        broadcast: true,
        users: ['bob', 'team-*'],
      },
    });
  });

  it('grants nothing when the token carries no grants', () => {
    expect(principalFromClaims({ sub: 'bob' })).toEqual({ userId: 'bob', grants: NO_GRANTS });
  });

  it.each([
    ['a missing sub', { channels: {} }, /sub must be/],
    ['a sub with a space', { sub: 'a b' }, /sub must be/],
    ['a sub of 129 characters', { sub: 'a'.repeat(129) }, /sub must be/],
    ['a non-string name', { sub: 'a', name: 5 }, /name must be/],
    ['a name with a control character', { sub: 'a', name: 'x\ny' }, /name must be/],
    ['channels as an array', { sub: 'a', channels: ['lobby'] }, /channels must be an object/],
    ['an unknown operation', { sub: 'a', channels: { lobby: ['delete'] } }, /must be a non-empty array/],
    ['no operations', { sub: 'a', channels: { lobby: [] } }, /must be a non-empty array/],
    ['a bad channel pattern', { sub: 'a', channels: { 'a b*': ['*'] } }, /is not a channel name/],
    ['a star in the middle', { sub: 'a', channels: { 'a*b': ['*'] } }, /is not a channel name/],
    ['a string broadcast', { sub: 'a', broadcast: 'yes' }, /broadcast must be/],
    ['users as a string', { sub: 'a', users: 'bob' }, /users must be an array/],
    ['a bad user pattern', { sub: 'a', users: ['b o b'] }, /users: "b o b"/],
    [
      'too many channel patterns',
      { sub: 'a', channels: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, ['*']])) },
      /at most 100 channel patterns/,
    ],
  ])('refuses %s', (_case, claims, message) => {
    expect(() => principalFromClaims(claims)).toThrow(InvalidClaimsError);
    expect(() => principalFromClaims(claims)).toThrow(message);
  });

  it('keeps a __proto__ channel key as a plain key, never a prototype', () => {
    const claims = JSON.parse('{"sub":"a","channels":{"__proto__":["publish"]}}') as Record<string, unknown>;

    const { grants: parsed } = principalFromClaims(claims);

    expect(Object.getPrototypeOf(parsed.channels)).toBe(Object.prototype);
    expect(allows(parsed, 'publish', '__proto__')).toBe(true);
    expect(allows(parsed, 'publish', 'lobby')).toBe(false);
  });
});

describe('grantsFromJson', () => {
  it('round-trips the JSON of grants', () => {
    const g = grants({ 'room-*': ['presence'] }, { broadcast: true, users: ['*'] });

    expect(grantsFromJson(JSON.parse(JSON.stringify(g)))).toEqual(g);
  });

  it('refuses a non-object', () => {
    expect(() => grantsFromJson('x')).toThrow(InvalidClaimsError);
  });
});
