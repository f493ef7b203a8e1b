import { describe, expect, it } from 'vitest';
import { connectUrl } from '../../../local/connect-url.js';

const url = 'ws://127.0.0.1:4000';

describe('connectUrl', () => {
  it('is the bare URL when there is no query and no token', () => {
    expect(connectUrl({ url })).toBe(url);
  });

  it('appends the query, encoded', () => {
    expect(connectUrl({ url }, { clientId: 'a b', name: 'Zoë' })).toBe(`${url}/?clientId=a+b&name=Zo%C3%AB`);
  });

  it("adds the API's development token", () => {
    expect(connectUrl({ url, devToken: 'T' }, { clientId: 'a' })).toBe(`${url}/?clientId=a&token=T`);
  });

  it('keeps a token given in the query, and leaves it out when it is empty', () => {
    expect(connectUrl({ url, devToken: 'T' }, { token: 'mine' })).toBe(`${url}/?token=mine`);
    expect(connectUrl({ url, devToken: 'T' }, { token: '' })).toBe(url);
  });
});
