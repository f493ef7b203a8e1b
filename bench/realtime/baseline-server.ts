/**
 * The physical baseline: a plain `ws` server in the benchmark's own process that speaks the
 * {@link BaselineProtocol} and writes every fan-out frame straight to each recipient's socket — no Lambda, no
 * DynamoDB and no Management API hop in between.
 *
 * @module
 */
import { BaselineProtocol, type FanOut } from './baseline-protocol.js';
import { hostProtocol, type ProtocolHost } from './protocol-host.js';

/** A running baseline server. */
export type BaselineServer = ProtocolHost;

/** One `socket.send` per recipient, in the protocol's thread. */
const sendDirectly: FanOut = (_route, recipients, frame) => {
  for (const peer of recipients) peer.socket.send(frame);
  return recipients.length;
};

/** Starts the baseline on a random free port of 127.0.0.1. */
export function startBaselineServer(): Promise<BaselineServer> {
  return hostProtocol(new BaselineProtocol(sendDirectly));
}
