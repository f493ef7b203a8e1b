import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  cleanName,
  type KeyValueStore,
  resolveSettings,
  type SettingsSources,
} from '../../../web/config.js';

/** A `localStorage` stand-in; `broken` throws like a blocked storage does. */
class MemoryStore implements KeyValueStore {
  readonly items = new Map<string, string>();
  constructor(readonly broken = false) {}
  getItem(key: string): string | null {
    if (this.broken) throw new Error('SecurityError');
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.broken) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
}

const configServer = (body: unknown, status = 200) => {
  const requested: string[] = [];
  const fetch: SettingsSources['fetch'] = async (url) => {
    requested.push(url);
    return { ok: status < 400, status, json: async () => body };
  };
  return { fetch, requested };
};

const counting = (bytes: Uint8Array): Uint8Array => bytes.map((_, index) => index + 1);

describe('resolveSettings', () => {
  it('reads the WebSocket URL from config.json next to the page when there is no ?url=', async () => {
    // Prepare
    const server = configServer({ url: 'ws://127.0.0.1:3001' });

    // Act
    const settings = await resolveSettings({
      pageUrl: 'http://127.0.0.1:8080/demo/index.html?name=Ann',
      storage: new MemoryStore(),
      fetch: server.fetch,
      randomBytes: counting,
    });

    // Assess: the page names its client id, for which the local demo server signs a token.
    expect(settings.url).toBe('ws://127.0.0.1:3001');
    expect(server.requested).toEqual([
      'http://127.0.0.1:8080/demo/config.json?clientId=web-0102030405060708',
    ]);
  });

  it("takes the client id from the token's sub when it has a token (the server's rule with auth on)", async () => {
    const claims = Buffer.from(JSON.stringify({ sub: 'ann@example.com', exp: 1 })).toString('base64url');
    const server = configServer({ url: 'ws://127.0.0.1:3001', token: `e30.${claims}.sig` });
    const storage = new MemoryStore();

    const withToken = await resolveSettings({
      pageUrl: 'http://h/',
      storage,
      fetch: server.fetch,
      randomBytes: counting,
    });
    const opaque = await resolveSettings({ pageUrl: 'http://h/?token=opaque', storage, fetch: server.fetch });
    const without = await resolveSettings({
      pageUrl: 'http://h/',
      storage,
      fetch: configServer({ url: 'ws://127.0.0.1:3001' }).fetch,
    });

    expect(withToken.clientId).toBe('ann@example.com');
    expect(opaque.clientId).toBe('web-0102030405060708');
    expect(without.clientId).toBe('web-0102030405060708');
  });

  it('takes the token from config.json, and ?token= over it', async () => {
    const server = configServer({ url: 'ws://127.0.0.1:3001', token: 'dev.jwt.sig' });

    const fromConfig = await resolveSettings({ pageUrl: 'http://127.0.0.1:3000/', fetch: server.fetch });
    const fromPage = await resolveSettings({
      pageUrl: 'http://127.0.0.1:3000/?token=own.jwt.sig',
      fetch: server.fetch,
    });

    expect(fromConfig.token).toBe('dev.jwt.sig');
    expect(fromPage.token).toBe('own.jwt.sig');
  });

  it('takes ?url= and ?token= from the page address without fetching config.json', async () => {
    const server = configServer({});

    const settings = await resolveSettings({
      pageUrl: `http://localhost/?url=${encodeURIComponent('wss://abc.execute-api.eu-west-1.amazonaws.com/prod')}&token=jwt.a.b`,
      fetch: server.fetch,
    });

    expect(settings.url).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/prod');
    expect(settings.token).toBe('jwt.a.b');
    expect(server.requested).toEqual([]);
  });

  it('fails with a CONFIG error that shows the value when the URL is not ws(s)://', async () => {
    const fromParam = resolveSettings({
      pageUrl: 'http://localhost/?url=http://x',
      fetch: configServer({}).fetch,
    });
    const fromConfig = resolveSettings({
      pageUrl: 'http://localhost/',
      fetch: configServer({ url: 42 }).fetch,
    });

    await expect(fromParam).rejects.toThrow(
      new ConfigError('?url= must be a ws:// or wss:// URL, got "http://x"'),
    );
    await expect(fromConfig).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('got 42'),
    });
  });

  it('fails with a CONFIG error naming config.json when it cannot be loaded', async () => {
    const settings = resolveSettings({ pageUrl: 'http://localhost/', fetch: configServer({}, 404).fetch });

    await expect(settings).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/could not load http:\/\/localhost\/config\.json \(HTTP 404\)/),
    });
  });

  it('keeps one clientId and the name across visits, and ?name= renames', async () => {
    const storage = new MemoryStore();
    const sources = { storage, fetch: configServer({ url: 'ws://h' }).fetch, randomBytes: counting };

    const first = await resolveSettings({ ...sources, pageUrl: 'http://h/' });
    const second = await resolveSettings({
      ...sources,
      pageUrl: 'http://h/',
      randomBytes: (b) => b.fill(200),
    });
    const renamed = await resolveSettings({ ...sources, pageUrl: 'http://h/?name=Zoe%20Q' });

    expect(first.clientId).toBe('web-0102030405060708');
    expect(first.name).toBe('brave-lynx-3');
    expect(second).toMatchObject({ clientId: first.clientId, name: first.name });
    expect(renamed).toMatchObject({ clientId: first.clientId, name: 'Zoe Q', player: 'Zoe-Q' });
    expect((await resolveSettings({ ...sources, pageUrl: 'http://h/' })).name).toBe('Zoe Q');
  });

  it('still works when storage throws, with a fresh identity', async () => {
    const settings = await resolveSettings({
      pageUrl: 'http://h/?name=Ann',
      storage: new MemoryStore(true),
      fetch: configServer({ url: 'ws://h' }).fetch,
    });

    expect(settings.name).toBe('Ann');
    expect(settings.clientId).toMatch(/^web-[0-9a-f]{16}$/);
  });
});

describe('cleanName', () => {
  it('drops control characters, trims and cuts at 64 characters', () => {
    expect(cleanName('  A\u0000nn\n ')).toBe('Ann');
    expect(cleanName('x'.repeat(80))).toHaveLength(64);
    expect(cleanName('   ')).toBeUndefined();
    expect(cleanName(null)).toBeUndefined();
  });
});
