/**
 * The body of dynalite's worker thread: starts dynalite on 127.0.0.1 with the options it is given, reports
 * `{ type: 'listening', port }` or `{ type: 'failed', message, code }`, and on `{ type: 'close' }` stops it and
 * reports `{ type: 'closed' }`. Plain JavaScript, so the thread starts the same under node, tsx and vitest.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

/** @type {{ path?: string, port: number }} */
const options = workerData;
const port = parentPort;
if (port === null) throw new Error('dynalite-thread.mjs runs only as a worker thread');

const server = dynalite({
  ...(options.path !== undefined && { path: options.path }),
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});

server.once('error', (/** @type {NodeJS.ErrnoException} */ error) => {
  port.postMessage({ type: 'failed', message: error.message, code: error.code });
});

server.listen(options.port, '127.0.0.1', () => {
  const address = server.address();
  port.postMessage({
    type: 'listening',
    port: typeof address === 'object' && address !== null ? address.port : 0,
  });
});

port.on('message', (/** @type {{ type: string }} */ message) => {
  if (message.type !== 'close') return;
  server.close((error) => {
    port.postMessage(error ? { type: 'failed', message: error.message } : { type: 'closed' });
    port.close();
  });
  // Kept-alive sockets of clients that were not destroyed would hold close() for dynalite's 30 s timeout.
  server.closeAllConnections();
});
