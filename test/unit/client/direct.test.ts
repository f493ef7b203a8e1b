import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DirectMessage } from '../../../client/index.js';
import { closeClients, createClient } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  closeClients();
  vi.useRealTimers();
});

describe('RealtimeClient: direct messages', () => {
  it('sends sendtouser and resolves with the user and the delivered count', async () => {
    // Prepare
    const { client, network } = createClient();
    const socket = network.latest;
    socket.open();

    // Act
    const pending = client.sendToUser('alice', { text: 'hi' });
    const request = socket.last('sendtouser');
    socket.reply(request, { type: 'sent', user: 'alice', delivered: 2 });

    // Assess
    expect(request).toEqual({ action: 'sendtouser', user: 'alice', data: { text: 'hi' }, id: request.id });
    expect(await pending).toEqual({ user: 'alice', delivered: 2 });
  });

  it("rejects with the server's FORBIDDEN code", async () => {
    const { client, network } = createClient();
    const socket = network.latest;
    socket.open();

    const pending = client.sendToUser('alice', 1);
    socket.reply(socket.last('sendtouser'), { type: 'error', code: 'FORBIDDEN', message: 'no' });

    await expect(pending).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses undefined data without sending', async () => {
    const { client, network } = createClient();
    const socket = network.latest;
    socket.open();

    await expect(client.sendToUser('alice', undefined)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(socket.framesOf('sendtouser')).toEqual([]);
  });

  it('emits a pushed direct frame as a direct event, and a malformed one as raw', () => {
    // Prepare
    const { client, network, raw } = createClient();
    const socket = network.latest;
    socket.open();
    const seen: DirectMessage[] = [];
    client.on('direct', (message) => seen.push(message));
    const frame = { type: 'direct', from: 'abc=', fromUser: 'bob', data: { text: 'hi' }, sentAt: 5 };

    // Act
    socket.deliver(frame);
    socket.deliver({ type: 'direct', from: 'server', data: 1, sentAt: 6 });
    socket.deliver({ type: 'direct', data: 1 });

    // Assess
    expect(seen).toEqual([frame, { type: 'direct', from: 'server', data: 1, sentAt: 6 }]);
    expect(raw).toHaveLength(1);
  });
});
