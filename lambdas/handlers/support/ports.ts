/**
 * The production ports of the realtime routes, built once per container from the clients of
 * `adapters/clients/`: the stores on the table, the messenger on the Management API, and the `leave`
 * announcement that runs whenever a fan-out finds a recipient gone.
 *
 * @module
 */
import { managementClient } from '../../adapters/clients/management-api.js';
import { ManagementApiMessenger } from '../../adapters/management-messenger.js';
import type { FanOutOptions } from '../../core/fan-out.js';
import type { Messenger, RemovedConnection } from '../../core/ports.js';
import { announceDeparture } from '../../core/presence.js';
import type { QueuePlan } from '../../core/queued-fan-out.js';
import { productionQueuePlan } from './fan-out-queue.js';
import { type TableStores, tableStores } from './stores.js';

/** Every port a realtime route may use. */
export interface RealtimePorts extends TableStores {
  readonly messenger: Messenger;
  /** Announces the `leave` of a recipient a fan-out found gone and removed. */
  readonly afterRemoval: (removed: RemovedConnection, options: FanOutOptions) => Promise<void>;
  /**
   * Where fan-outs of large audiences, and recipients a deadline leaves, go (absent without a fan-out queue:
   * everything stays inline).
   */
  readonly fanOutQueue?: QueuePlan;
}

/** Adds the `leave` announcement to a set of ports (it fans out through the same ports). */
export const withDepartures = (ports: Omit<RealtimePorts, 'afterRemoval'>): RealtimePorts => {
  const complete: RealtimePorts = {
    ...ports,
    afterRemoval: (removed, options) => announceDeparture(complete, removed, options),
  };
  return complete;
};

/** The ports of one container; `route` labels the slices its fan-outs enqueue. */
export const productionPorts = (route: string): RealtimePorts => {
  const fanOutQueue = productionQueuePlan(route);
  return withDepartures({
    ...tableStores(),
    messenger: new ManagementApiMessenger(managementClient),
    ...(fanOutQueue === undefined ? {} : { fanOutQueue }),
  });
};
