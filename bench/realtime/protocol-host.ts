/**
 * Serves a {@link BaselineProtocol} over a plain `ws` server on a random free port of 127.0.0.1: every text
 * frame goes to the protocol, every close forgets the peer. The comparison servers differ only in the
 * protocol's fan-out, never in this part.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { BaselineProtocol } from './baseline-protocol.js';

/** A running protocol server. */
export interface ProtocolHost {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections currently open on the server side. */
  openConnections(): number;
  /** Terminates every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts listening and routes every connection's text frames to `protocol`. */
export async function hostProtocol(protocol: BaselineProtocol): Promise<ProtocolHost> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) => {
    const peer = protocol.connect(socket);
    socket.on('message', (data, isBinary) => {
      if (!isBinary) protocol.handle(peer, data.toString());
    });
    socket.on('close', () => protocol.disconnect(peer));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    openConnections: () => server.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}
