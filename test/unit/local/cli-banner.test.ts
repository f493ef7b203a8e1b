import { describe, expect, it } from 'vitest';
import { formatBanner, wscatCommand } from '../../../local/cli/banner.js';
import type { RunningRuntime, RuntimeApi } from '../../../local/runtime.js';

const api: RuntimeApi = {
  stackName: 'RealtimeWebSocketApi',
  name: 'realtime',
  stage: 'prod',
  port: 3001,
  url: 'ws://127.0.0.1:3001',
  managementUrl: 'http://127.0.0.1:3001/prod',
};

const runtimeWith = (apis: RuntimeApi[]): RunningRuntime => ({
  apis,
  tables: [{ stackName: 'RealtimeWebSocketApi', tableName: 'Table' }],
  dynamodb: { engine: 'dynalite', endpoint: 'http://127.0.0.1:45123' },
  services: { endpoint: 'http://127.0.0.1:45124' },
  queues: [],
  close: async () => {},
});

describe('formatBanner', () => {
  it('prints the dev token and a wscat line that carries it, when the API authenticates', () => {
    const banner = formatBanner(runtimeWith([{ ...api, devToken: 'eyJ.dev.token' }]));

    expect(banner).toMatch(/^ {2}Dev token {3}eyJ\.dev\.token .*npm run token mints others\)$/m);
    expect(banner).toContain("Try: npx wscat -c 'ws://127.0.0.1:3001?token=eyJ.dev.token'");
  });

  it('prints a plain wscat line and no token without auth', () => {
    const banner = formatBanner(runtimeWith([api]));

    expect(banner).not.toContain('Dev token');
    expect(banner).toContain('Try: npx wscat -c ws://127.0.0.1:3001   ·');
  });
});

describe('wscatCommand', () => {
  it('quotes the URL for the shell when it has a query string', () => {
    expect(wscatCommand({ ...api, devToken: 't' })).toBe("npx wscat -c 'ws://127.0.0.1:3001?token=t'");
  });
});
