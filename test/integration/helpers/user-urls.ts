/**
 * Connect URLs for many users of one runtime. The dev token is a single user (`dev`), and `$connect` refuses a
 * user's connection beyond `MAX_CONNECTIONS_PER_USER` (10), so a test that keeps more sockets open signs a
 * token per user (the dev token's grants, its own `sub`) with the key the runtime generated into `stateDir`.
 *
 * @module
 */

import { DEV_CLAIMS, DEV_TOKEN_TTL_SECONDS, signToken } from '../../../local/auth/tokens.js';
import { connectUrl } from '../../../local/connect-url.js';
import type { RuntimeApi } from '../../../local/runtime.js';
import { keptSecrets } from '../../../local/secrets/vault.js';

/** Builds a client URL for a user of its own; with auth off, just {@link connectUrl}. */
export type UserUrl = (userId: string, query?: Readonly<Record<string, string>>) => Promise<string>;

/**
 * The {@link UserUrl} of `api`, whose runtime was started with `stateDir`.
 *
 * @example
 * const urlFor = await userUrls(api, stateDir);
 * await TestClient.open(await urlFor('alice', { clientId: 'alice' }));
 */
export async function userUrls(api: RuntimeApi, stateDir: string): Promise<UserUrl> {
  const [secret] = api.devToken === undefined ? [] : (await keptSecrets(stateDir)).values();
  return async (userId, query = {}) =>
    secret === undefined
      ? connectUrl(api, query)
      : connectUrl(api, {
          ...query,
          token: await signToken(
            secret,
            { ...DEV_CLAIMS, sub: userId },
            { ttlSeconds: DEV_TOKEN_TTL_SECONDS },
          ),
        });
}
