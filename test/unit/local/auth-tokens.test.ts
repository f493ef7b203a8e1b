import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DEV_CLAIMS,
  DEV_TOKEN_TTL_SECONDS,
  signToken,
  TokenClaimsError,
} from '../../../local/auth/tokens.js';

const SECRET = 'a-signing-secret-of-32-characters';
const key = new TextEncoder().encode(SECRET);

describe('signToken', () => {
  it('signs HS256 with the UTF-8 secret, with sub, iat, exp and the grant claims', async () => {
    const token = await signToken(
      SECRET,
      { sub: 'alice', name: 'Alice', channels: { 'game-*': ['subscribe', 'publish'] }, users: ['bob'] },
      { ttlSeconds: 3600, now: 1_800_000_000 },
    );

    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      currentDate: new Date(1_800_000_100_000),
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: 'alice',
      name: 'Alice',
      channels: { 'game-*': ['subscribe', 'publish'] },
      users: ['bob'],
      iat: 1_800_000_000,
      exp: 1_800_003_600,
    });
  });

  it('does not verify with another secret', async () => {
    const token = await signToken(SECRET, { sub: 'alice' }, { ttlSeconds: 60 });

    await expect(jwtVerify(token, new TextEncoder().encode('another secret'))).rejects.toThrow(/signature/);
  });

  it('makes the dev token every grant for 24 h', async () => {
    const token = await signToken(SECRET, DEV_CLAIMS, { ttlSeconds: DEV_TOKEN_TTL_SECONDS });

    const { payload } = await jwtVerify(token, key);
    expect(payload).toMatchObject({ sub: 'dev', channels: { '*': ['*'] }, broadcast: true, users: ['*'] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(86_400);
  });

  it('refuses a sub the authorizer would refuse, a bad ttl and an empty secret', async () => {
    await expect(signToken(SECRET, { sub: 'has space' }, { ttlSeconds: 60 })).rejects.toThrow(
      TokenClaimsError,
    );
    await expect(signToken(SECRET, { sub: 'x'.repeat(129) }, { ttlSeconds: 60 })).rejects.toThrow(
      /sub must match/,
    );
    await expect(signToken(SECRET, { sub: 'alice' }, { ttlSeconds: 0 })).rejects.toThrow(/positive number/);
    await expect(signToken('', { sub: 'alice' }, { ttlSeconds: 60 })).rejects.toThrow(/empty/);
  });
});
