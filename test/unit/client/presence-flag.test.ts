import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeClients, createClient } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

/** Subscribes to `lobby` with `options` and returns the subscribe request the client sent. */
const subscribeRequest = async (
  options: Parameters<ReturnType<typeof createClient>['client']['subscribe']>[1],
) => {
  const { client, network } = createClient();
  const socket = network.latest;
  socket.open();
  const ready = client.subscribe('lobby', options);
  const request = socket.last('subscribe');
  socket.reply(request, { type: 'subscribed', channel: 'lobby', seq: 0 });
  await ready;
  return request;
};

describe('subscribe: entering presence', () => {
  it('asks to enter presence when onPresence is given', async () => {
    expect(await subscribeRequest({ onPresence: () => {} })).toMatchObject({ presence: true });
  });

  it('asks to enter presence when presence: true is given', async () => {
    expect(await subscribeRequest({ presence: true })).toMatchObject({ presence: true });
  });

  it('does not enter presence by default, nor with presence: false and onPresence', async () => {
    expect(await subscribeRequest({})).not.toHaveProperty('presence');
    expect(await subscribeRequest({ presence: false, onPresence: () => {} })).not.toHaveProperty('presence');
  });
});
