/**
 * The `sendmessage` use-case: a broadcast to every open connection, wire-compatible with AWS's chat sample.
 *
 * @module
 */
import { type FanOutOptions, type FanOutPorts, type FanOutResult, fanOut } from './fan-out.js';
import { assertFrameFits, broadcastFrame } from './frames.js';
import type { ConnectionStore } from './ports.js';

/**
 * Sends `data` to every open connection, the sender included: a string as is, anything else as JSON.
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`, before any send.
 */
export const broadcastToEveryone = async (
  ports: FanOutPorts & { readonly store: Pick<ConnectionStore, 'everyone' | 'removeConnection'> },
  data: unknown,
  options: FanOutOptions,
): Promise<FanOutResult> => {
  const frame = broadcastFrame(data);
  assertFrameFits(frame, 'the message');
  return fanOut(ports.store.everyone(), frame, ports, options);
};
