import { afterEach, describe, expect, it } from 'vitest';
import { type RunningDemoServer, startDemoServer } from '../../../local/demo/server.js';

const files = new Map([['/index.html', { contentType: 'text/html', body: '<p>demo</p>' }]]);
let demo: RunningDemoServer | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe('startDemoServer', () => {
  it('tells the page the WebSocket URL and the token to connect with in config.json', async () => {
    demo = await startDemoServer({
      port: 0,
      websocketUrl: 'ws://127.0.0.1:3001',
      token: 'dev.jwt.sig',
      files,
    });

    const config = await (await fetch(`${demo.url}config.json`)).json();

    expect(config).toEqual({ url: 'ws://127.0.0.1:3001', token: 'dev.jwt.sig' });
  });

  it('signs a token for the user config.json?clientId= names, and gives the shared one otherwise', async () => {
    demo = await startDemoServer({
      port: 0,
      websocketUrl: 'ws://127.0.0.1:3001',
      token: 'dev.jwt.sig',
      tokenFor: async (sub) => `token-of-${sub}`,
      files,
    });
    const configOf = async (query: string) => (await fetch(`${demo?.url}config.json${query}`)).json();

    expect(await configOf('?clientId=web-1a2b')).toEqual({
      url: 'ws://127.0.0.1:3001',
      token: 'token-of-web-1a2b',
    });
    expect(await configOf('?clientId=not%20a%20user')).toEqual({
      url: 'ws://127.0.0.1:3001',
      token: 'dev.jwt.sig',
    });
    expect(await configOf('')).toEqual({ url: 'ws://127.0.0.1:3001', token: 'dev.jwt.sig' });
  });

  it('leaves the token out when the API does not authenticate', async () => {
    demo = await startDemoServer({ port: 0, websocketUrl: 'ws://127.0.0.1:3001', files });

    expect(await (await fetch(`${demo.url}config.json`)).json()).toEqual({ url: 'ws://127.0.0.1:3001' });
  });
});
