import { describe, expect, it } from 'vitest';
import { connectUrl } from '../../../local/connect-url.js';

const url = 'ws://127.0.0.1:4000';
const tokenFor = async (sub: string): Promise<string> => `T-${sub}`;

describe('connectUrl', () => {
  it('is the bare URL when there is no query and no token', async () => {
    expect(await connectUrl({ url })).toBe(url);
  });

  it('appends the query, encoded', async () => {
    expect(await connectUrl({ url }, { clientId: 'a b', name: 'Zoë' })).toBe(
      `${url}/?clientId=a+b&name=Zo%C3%AB`,
    );
  });

  it("adds the API's development token when it cannot sign others", async () => {
    expect(await connectUrl({ url, devToken: 'T' }, { clientId: 'a' })).toBe(`${url}/?clientId=a&token=T`);
  });

  it('signs a token for the client id as the user, or for a fresh user without one', async () => {
    expect(await connectUrl({ url, devToken: 'T', tokenFor }, { clientId: 'alice' })).toBe(
      `${url}/?clientId=alice&token=T-alice`,
    );
    const anonymous = new URL(await connectUrl({ url, devToken: 'T', tokenFor }));
    expect(anonymous.searchParams.get('token')).toMatch(/^T-client-[0-9a-f]{8}$/);
  });

  it('keeps a token given in the query, and leaves it out when it is empty', async () => {
    expect(await connectUrl({ url, devToken: 'T', tokenFor }, { token: 'mine' })).toBe(`${url}/?token=mine`);
    expect(await connectUrl({ url, devToken: 'T', tokenFor }, { token: '' })).toBe(url);
  });
});
