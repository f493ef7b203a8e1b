import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../../local/cli/options.js';

describe('parseCliOptions', () => {
  it('defaults to port 3001, dynalite in memory and no concurrency override', () => {
    const options = parseCliOptions([], {});
    expect(options.port).toBe(3001);
    expect(options.dynamodb).toEqual({ engine: 'dynalite' });
    expect(options.functionConcurrency).toBeUndefined();
  });

  it('takes the port from PORT when --port is absent, and --port over PORT', () => {
    expect(parseCliOptions([], { PORT: '4100' }).port).toBe(4100);
    expect(parseCliOptions(['--port', '0'], { PORT: '4100' }).port).toBe(0);
  });

  it('reads --state-dir, leaves the default to the runtime, and refuses an empty one', () => {
    expect(parseCliOptions(['--state-dir', '/tmp/state'], {}).stateDir).toBe('/tmp/state');
    expect(parseCliOptions([], {}).stateDir).toBeUndefined();
    expect(() => parseCliOptions(['--state-dir='], {})).toThrow('--state-dir needs a directory');
  });

  it('reads --concurrency as the per-function worker bound', () => {
    expect(parseCliOptions(['--concurrency', '4'], {}).functionConcurrency).toBe(4);
  });

  it.each([['0'], ['-1'], ['2.5'], ['many']])(
    'fails on --concurrency %s naming the flag and value',
    (raw) => {
      expect(() => parseCliOptions([`--concurrency=${raw}`], {})).toThrow(`--concurrency must be an integer`);
      expect(() => parseCliOptions([`--concurrency=${raw}`], {})).toThrow(raw);
    },
  );

  it('converts second-valued options to milliseconds', () => {
    const options = parseCliOptions(['--idle-timeout', '2', '--max-connection', '1.5'], {});
    expect(options.idleTimeoutMs).toBe(2000);
    expect(options.maxConnectionMs).toBe(1500);
  });

  it('rejects --dynamodb together with --dynamodb-endpoint', () => {
    expect(() =>
      parseCliOptions(['--dynamodb', 'local', '--dynamodb-endpoint', 'http://127.0.0.1:8000'], {}),
    ).toThrow(/conflict/);
  });

  describe('the demo page', () => {
    it('serves it on 3000 by default, on a free port when --port is 0, and on --demo-port when given', () => {
      expect(parseCliOptions([], {}).demoPort).toBe(3000);
      expect(parseCliOptions(['--port', '0'], {}).demoPort).toBe(0);
      expect(parseCliOptions(['--demo-port', '8080'], {}).demoPort).toBe(8080);
      expect(parseCliOptions(['--port', '0', '--demo-port', '4000'], {}).demoPort).toBe(4000);
    });

    it('turns it off with --no-demo, and refuses --no-demo with --demo-port', () => {
      expect(parseCliOptions(['--no-demo'], {}).demoPort).toBeUndefined();
      expect(() => parseCliOptions(['--no-demo', '--demo-port', '1'], {})).toThrow(/conflict/);
    });

    it('names --demo-port and the value when it is not a port', () => {
      expect(() => parseCliOptions(['--demo-port', 'http'], {})).toThrow(
        '--demo-port must be an integer from 0 to 65535, got "http"',
      );
    });
  });

  describe('the services endpoint', () => {
    it('listens on 3002 by default, on a free port when --port is 0, and on --services-port when given', () => {
      expect(parseCliOptions([], {}).servicesPort).toBe(3002);
      expect(parseCliOptions(['--port', '0'], {}).servicesPort).toBe(0);
      expect(parseCliOptions(['--services-port', '4002'], {}).servicesPort).toBe(4002);
      expect(parseCliOptions(['--port', '0', '--services-port', '4002'], {}).servicesPort).toBe(4002);
    });

    it('names --services-port and the value when it is not a port', () => {
      expect(() => parseCliOptions(['--services-port', 'x'], {})).toThrow(
        '--services-port must be an integer from 0 to 65535, got "x"',
      );
    });
  });
});
