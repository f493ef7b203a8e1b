/**
 * The `sendmessage` use-case: a broadcast to every open connection, wire-compatible with AWS's chat sample.
 *
 * @module
 */
import { BROADCAST_SHARDS } from './constants.js';
import { type FanOutOptions, type FanOutPorts, type FanOutResult, fanOut } from './fan-out.js';
import { assertFrameFits, broadcastFrame } from './frames.js';
import type { ConnectionStore } from './ports.js';
import { fanOutOrQueue, type QueuePlan } from './queued-fan-out.js';

/**
 * Sends `data` to every open connection, the sender included: a string as is, anything else as JSON.
 *
 * With a queue `plan`, the first page of each broadcast shard is read, and an audience of `plan.inlineLimit`
 * or more goes to the fan-out queue, one page chain per shard. The frame has no `seq`, so a post that timed
 * out is not retried (it may have landed, and clients could not tell the copy).
 *
 * @throws {ProtocolError} `PAYLOAD_TOO_LARGE`, before any send.
 */
export const broadcastToEveryone = async (
  ports: FanOutPorts & { readonly store: Pick<ConnectionStore, 'everyone' | 'removeConnection'> },
  data: unknown,
  options: FanOutOptions,
  plan?: QueuePlan,
): Promise<FanOutResult & { readonly queued?: boolean }> => {
  const frame = broadcastFrame(data);
  assertFrameFits(frame, 'the message');
  if (plan !== undefined) {
    const shards = Array.from({ length: BROADCAST_SHARDS }, (_, shard) => ({ shard }));
    return fanOutOrQueue(shards, frame, {}, ports, options, plan);
  }
  const { delivered, gone, failed, retried, handedOff } = await fanOut(
    ports.store.everyone(),
    frame,
    ports,
    options,
  );
  return { delivered, gone, failed, retried, handedOff };
};
