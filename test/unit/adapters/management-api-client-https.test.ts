import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementApiClient } from '../../../lambdas/adapters/management-api-client.js';

const TLS_DIR = new URL('../../fixtures/tls/', import.meta.url);
const CERT = fileURLToPath(new URL('localhost-cert.pem', TLS_DIR));
const run = promisify(execFile);

interface Received {
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

let server: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer(
    { cert: readFileSync(CERT), key: readFileSync(new URL('localhost-key.pem', TLS_DIR)) },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(200).end();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('ManagementApiClient over https (the path it takes in AWS)', () => {
  it('verifies the server certificate: an untrusted one fails the post', async () => {
    const client = new ManagementApiClient({
      endpoint,
      region: 'eu-west-1',
      credentials: () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
      maxSockets: 1,
      requestTimeoutMs: 2_000,
    });
    try {
      await expect(client.postToConnection('abc=', 'x')).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
      });
    } finally {
      client.destroy();
    }
    expect(received).toHaveLength(0);
  });

  it('posts the signed frame over TLS to a server whose certificate is trusted', async () => {
    // Node reads extra CAs only at start-up, so the trusted case runs in a child process.
    const script = [
      "import { ManagementApiClient } from './lambdas/adapters/management-api-client.ts';",
      'const client = new ManagementApiClient({',
      `  endpoint: ${JSON.stringify(endpoint)}, region: 'eu-west-1',`,
      "  credentials: () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),",
      '  maxSockets: 1, requestTimeoutMs: 5000,',
      '});',
      'await client.postToConnection(\'ab+c/d==\', \'{"over":"tls"}\');',
      'client.destroy();',
    ].join('\n');
    await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT },
      timeout: 30_000,
    });

    expect(received).toEqual([
      {
        url: '/prod/@connections/ab%2Bc%2Fd%3D%3D',
        authorization: expect.stringMatching(
          /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/execute-api\//,
        ),
        body: '{"over":"tls"}',
      },
    ]);
  });
});
