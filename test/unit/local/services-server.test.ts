import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServices, startServices } from '../../../local/services/server.js';

let services: RunningServices | undefined;
afterEach(async () => {
  await services?.close();
  services = undefined;
});

const post = (target: string, body: string): Promise<Response> =>
  fetch(`${services?.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': target }, body });

describe('startServices', () => {
  it('hands a request to the service that claims it, with its body', async () => {
    services = await startServices({ host: '127.0.0.1' });
    services.register({
      name: 'echo',
      matches: (r) => r.headers['x-amz-target'] === 'Echo.Say',
      handle: async (r) => ({ status: 200, body: `said ${r.body.toString()}` }),
    });

    const response = await post('Echo.Say', 'hi');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('said hi');
  });

  it('answers 400 UnknownOperationException, naming what it emulates, for a request nobody claims', async () => {
    services = await startServices({ host: '127.0.0.1' });
    services.register({ name: 'echo', matches: () => false, handle: async () => ({ status: 200 }) });

    const response = await post('AmazonSQS.SendMessage', '{}');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'the local runtime does not emulate AmazonSQS.SendMessage (emulated: echo)',
    });
  });

  it('turns a service that throws into a 500 and reports the error', async () => {
    const errors: unknown[] = [];
    services = await startServices({ host: '127.0.0.1', onError: (e) => errors.push(e) });
    services.register({
      name: 'broken',
      matches: () => true,
      handle: async () => {
        throw new Error('boom');
      },
    });

    const response = await post('X.Y', '');

    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
  });
});
