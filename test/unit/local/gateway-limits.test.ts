import { afterEach, describe, expect, it } from 'vitest';
import {
  apiModel,
  closeStartedGateways,
  connect,
  startTestGateway,
  type TestClient,
  waitFor,
} from './helpers/gateway-harness.js';

afterEach(closeStartedGateways);

const KB32 = 32_768;

/** Sends one text message as the given fragments (one frame each). */
function sendFragments(client: TestClient, sizes: readonly number[]): void {
  sizes.forEach((size, index) => {
    client.ws.send('x'.repeat(size), { binary: false, fin: index === sizes.length - 1 });
  });
}

async function echoGateway(options: { idleTimeoutMs?: number; maxConnectionMs?: number } = {}) {
  return startTestGateway(
    apiModel(['$default', '$disconnect']),
    { 'fn-$default': () => ({ statusCode: 200 }), 'fn-$disconnect': () => ({ statusCode: 200 }) },
    options,
  );
}

describe('gateway frame and message limits', () => {
  it('accepts a single frame of exactly 32 KB', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    client.ws.send('x'.repeat(KB32));
    await waitFor(() => lambdas.eventsOf('fn-$default').length === 1);

    // Assess
    expect(lambdas.eventsOf('fn-$default')[0]?.body).toHaveLength(KB32);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('closes with 1009 on a single text frame over 32 KB, without routing it', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    client.ws.send('x'.repeat(KB32 + 1));
    const closed = await client.closeResult();

    // Assess
    expect(closed.code).toBe(1009);
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);
    expect(lambdas.eventsOf('fn-$default')).toEqual([]);
    expect(lambdas.eventsOf('fn-$disconnect')[0]?.requestContext.disconnectStatusCode).toBe(1009);
  });

  it('closes with 1009 when one fragment of a message is over 32 KB', async () => {
    // Prepare
    const { gateway } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    sendFragments(client, [1_000, KB32 + 1, 10]);

    // Assess
    expect((await client.closeResult()).code).toBe(1009);
  });

  it('accepts a 128 KB message sent as four 32 KB fragments', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    sendFragments(client, [KB32, KB32, KB32, KB32]);
    await waitFor(() => lambdas.eventsOf('fn-$default').length === 1);

    // Assess
    expect(lambdas.eventsOf('fn-$default')[0]?.body).toHaveLength(4 * KB32);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('closes with 1009 when a fragmented message exceeds 128 KB', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    sendFragments(client, [KB32, KB32, KB32, KB32, 1]);
    const closed = await client.closeResult();

    // Assess
    expect(closed.code).toBe(1009);
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);
    expect(lambdas.eventsOf('fn-$default')).toEqual([]);
  });

  it('closes with 1003 on a binary frame', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway();
    const client = await connect(gateway.url);

    // Act
    client.ws.send(Buffer.from([1, 2, 3]));
    const closed = await client.closeResult();

    // Assess
    expect(closed.code).toBe(1003);
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);
    expect(lambdas.eventsOf('fn-$default')).toEqual([]);
    expect(lambdas.eventsOf('fn-$disconnect')[0]?.requestContext.disconnectStatusCode).toBe(1003);
  });
});

describe('gateway timeouts', () => {
  it("closes an idle connection with 1001 'Going away' even while the client pings", async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway({ idleTimeoutMs: 300 });
    const client = await connect(gateway.url);
    const pinger = setInterval(() => client.ws.ping(), 50);

    // Act
    const closed = await client.closeResult().finally(() => clearInterval(pinger));

    // Assess
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);
    expect(lambdas.eventsOf('fn-$disconnect')[0]?.requestContext).toMatchObject({
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('keeps a connection open past the idle timeout while the client sends messages', async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway({ idleTimeoutMs: 400 });
    const client = await connect(gateway.url);

    // Act: eight messages 100 ms apart span twice the idle timeout.
    for (let i = 0; i < 8; i += 1) {
      client.ws.send(`keepalive ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Assess
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(lambdas.eventsOf('fn-$disconnect')).toEqual([]);
  });

  it("closes with 1001 'Going away' at the maximum connection duration, however active", async () => {
    // Prepare
    const { gateway, lambdas } = await echoGateway({ maxConnectionMs: 300 });
    const client = await connect(gateway.url);
    const chatter = setInterval(() => client.ws.send('busy'), 50);

    // Act
    const closed = await client.closeResult().finally(() => clearInterval(chatter));

    // Assess
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    await waitFor(() => lambdas.eventsOf('fn-$disconnect').length === 1);
    expect(lambdas.eventsOf('fn-$disconnect')[0]?.requestContext.disconnectStatusCode).toBe(1001);
  });
});
