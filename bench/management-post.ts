/**
 * `npm run bench:post`: what one `@connections` POST costs the sender, in CPU, two ways: the AWS SDK
 * (`PostToConnectionCommand`, built as the fan-out handlers build it: SDK retries off, keep-alive sockets) and an
 * unsigned keep-alive HTTP POST of the same bytes (the floor). Both go to the same no-op HTTP server on
 * 127.0.0.1 in this process, so the server's share is in both figures and the difference is the SDK's. This
 * bounds fan-out throughput: every delivery is one such POST.
 *
 * @module
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { managementRequestHandler } from '../lambdas/adapters/management-request-handler.js';
import { LOCAL_CREDENTIALS } from '../local/constants.js';

const WARMUP = 2_000;
const MEASURED = 4_000;
const IN_FLIGHT = 32;
const FRAME_TEXT = '{"type":"message","channel":"lobby","data":{"score":42},"from":"abc=","seq":1}';
const FRAME = Buffer.from(FRAME_TEXT);

interface Figures {
  readonly requestsPerSecond: number;
  readonly cpuMicrosPerRequest: number;
}

/** Runs `send` WARMUP times, then MEASURED times with IN_FLIGHT in flight, and measures the second part. */
async function measure(send: () => Promise<unknown>): Promise<Figures> {
  const batches = async (total: number): Promise<void> => {
    for (let done = 0; done < total; done += IN_FLIGHT) {
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, total - done) }, send));
    }
  };
  await batches(WARMUP);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await batches(MEASURED);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: Math.round(MEASURED / seconds),
    cpuMicrosPerRequest: Math.round((used.user + used.system) / MEASURED),
  };
}

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const sdk = new ApiGatewayManagementApiClient({
  endpoint: `http://127.0.0.1:${port}/prod`,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
  requestHandler: managementRequestHandler(IN_FLIGHT),
});
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
const plainPost = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/prod/@connections/abc%3D', method: 'POST', agent },
      (res) => res.resume().on('end', resolve),
    );
    req.on('error', reject);
    req.end(FRAME);
  });

// The frame as a string, as the fan-out's messenger passes it.
const sdkFigures = await measure(() =>
  sdk.send(new PostToConnectionCommand({ ConnectionId: 'abc=', Data: FRAME_TEXT })),
);
const plainFigures = await measure(plainPost);
sdk.destroy();
agent.destroy();
server.close();

const rows: [string, Figures][] = [
  ['AWS SDK PostToConnection', sdkFigures],
  ['plain keep-alive POST', plainFigures],
];
console.log(`one @connections POST (${MEASURED} measured after ${WARMUP} warm-up, ${IN_FLIGHT} in flight)\n`);
console.log(`${'client'.padEnd(26)} ${'requests/s'.padStart(10)} ${'CPU µs/request'.padStart(15)}`);
for (const [name, figures] of rows) {
  console.log(
    `${name.padEnd(26)} ${String(figures.requestsPerSecond).padStart(10)} ${String(figures.cpuMicrosPerRequest).padStart(15)}`,
  );
}
console.log(
  JSON.stringify({
    bench: 'management-post',
    node: process.version,
    sdk: sdkFigures,
    plain: plainFigures,
  }),
);
