import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUrl } from '../../local/connect-url.js';
import { type RunningRuntime, startRuntime } from '../../local/runtime.js';
import { TestClient } from './helpers/ws-client.js';

const run = promisify(execFile);

/**
 * "Any WebSocket client": two clients nobody here wrote — wscat (npm) and Python's `websockets`
 * (Debian's python3-websockets, installed by .ci/run) — talk to the offline runtime.
 */
describe('interoperability with third-party clients', () => {
  let runtime: RunningRuntime;
  let url: string;

  beforeAll(async () => {
    runtime = await startRuntime({ cdkOut: inject('productAssembly'), port: 0 });
    const api = runtime.apis[0];
    if (api === undefined) throw new Error('the product assembly has no WebSocket API');
    url = connectUrl(api);
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('wscat can ping and receive a broadcast', async () => {
    const listener = await TestClient.open(url);
    const { stdout } = await run(
      'node_modules/.bin/wscat',
      [
        '-c',
        url,
        '-x',
        '{"action":"ping","id":"w"}',
        '-x',
        '{"action":"sendmessage","data":"from-wscat"}',
        '-w',
        '2',
      ],
      { timeout: 20_000 },
    );
    expect(stdout).toContain('{"type":"pong","id":"w"}');
    expect(stdout).toContain('from-wscat');
    expect((await listener.next((_j, raw) => raw === 'from-wscat')).raw).toBe('from-wscat');
    await listener.close();
  });

  it("Python's websockets client can subscribe, publish and receive", async () => {
    const script = `
import asyncio, json, sys
import websockets

async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send(json.dumps({"action": "subscribe", "channel": "py"}))
        print(await ws.recv(), flush=True)
        await ws.send(json.dumps({"action": "publish", "channel": "py", "data": {"lang": "python"}}))
        got = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(2)]
        for frame in sorted(got, key=lambda f: f["type"]):
            print(json.dumps(frame), flush=True)

asyncio.run(main())
`;
    // Debian's python3 (where python3-websockets installs), not a pyenv shim that may shadow it.
    const { stdout } = await run('/usr/bin/python3', ['-c', script, url], { timeout: 30_000 });
    const [ack, message, published] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(ack).toEqual({ type: 'subscribed', channel: 'py', seq: 0 });
    expect(message).toMatchObject({ type: 'message', channel: 'py', data: { lang: 'python' }, seq: 1 });
    expect(published).toMatchObject({ type: 'published', channel: 'py', delivered: 1 });
  });
});
