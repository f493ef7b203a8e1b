import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import {
  AUTH_OFF,
  accessPolicyFromEnv,
  authorize,
  authorizeBroadcast,
  grantsOf,
} from '../../../lambdas/handlers/support/identity.js';

const AUTH_ON = { authEnabled: true, publicChannels: ['news'] };
const contextWith = (grants: unknown) => ({ connectionId: 'c1', authorizer: { userId: 'alice', grants } });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('grantsOf', () => {
  it('reads the grants JSON the authorizer put in the request context', () => {
    const grants = { channels: { lobby: ['publish'] }, broadcast: false, users: [] };

    expect(grantsOf(contextWith(JSON.stringify(grants)))).toEqual(grants);
  });

  it('is undefined for a connection that came through no authorizer', () => {
    expect(grantsOf({ connectionId: 'c1' })).toBeUndefined();
  });

  it('allows nothing when the grants cannot be read', () => {
    expect(grantsOf(contextWith('{not json'))).toEqual({ channels: {}, broadcast: false, users: [] });
  });
});

describe('authorize', () => {
  it('refuses everything but public reads to a connection without grants when auth is on', () => {
    expect(() => authorize(AUTH_ON, { connectionId: 'c1' }, 'publish', 'lobby', 3)).toThrow(ProtocolError);
    expect(() => authorize(AUTH_ON, { connectionId: 'c1' }, 'subscribe', 'lobby')).toThrow(
      /not allowed to subscribe on "lobby"/,
    );
    expect(() => authorize(AUTH_ON, { connectionId: 'c1' }, 'subscribe', 'news')).not.toThrow();
  });

  it('carries the FORBIDDEN code and the request id', () => {
    let caught: unknown;
    try {
      authorize(
        AUTH_ON,
        contextWith('{"channels":{},"broadcast":false,"users":[]}'),
        'history',
        'lobby',
        'r1',
      );
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({ code: 'FORBIDDEN', requestId: 'r1' });
  });

  it('allows everything to a connection without grants when auth is off', () => {
    expect(() => authorize(AUTH_OFF, { connectionId: 'c1' }, 'publish', 'lobby')).not.toThrow();
  });
});

describe('authorizeBroadcast', () => {
  it('needs the broadcast grant when auth is on, and nothing when it is off', () => {
    expect(() => authorizeBroadcast(AUTH_ON, { connectionId: 'c1' })).toThrow(/broadcast/);
    expect(() =>
      authorizeBroadcast(AUTH_ON, contextWith('{"channels":{},"broadcast":true,"users":[]}')),
    ).not.toThrow();
    expect(() => authorizeBroadcast(AUTH_OFF, { connectionId: 'c1' })).not.toThrow();
  });
});

describe('accessPolicyFromEnv', () => {
  it('is on unless AUTH_ENABLED says false, with the public channels of PUBLIC_CHANNELS', () => {
    vi.stubEnv('AUTH_ENABLED', '');
    vi.stubEnv('PUBLIC_CHANNELS', 'news, public-*');
    expect(accessPolicyFromEnv()).toEqual({ authEnabled: true, publicChannels: ['news', 'public-*'] });
    vi.stubEnv('AUTH_ENABLED', 'false');
    expect(accessPolicyFromEnv().authEnabled).toBe(false);
  });

  it('fails fast on a bad AUTH_ENABLED or pattern', () => {
    vi.stubEnv('AUTH_ENABLED', 'yes');
    expect(() => accessPolicyFromEnv()).toThrow(/AUTH_ENABLED must be "true" or "false", got "yes"/);
    vi.stubEnv('AUTH_ENABLED', 'true');
    vi.stubEnv('PUBLIC_CHANNELS', 'a b');
    expect(() => accessPolicyFromEnv()).toThrow(/PUBLIC_CHANNELS: "a b"/);
  });
});
