import { describe, expect, it } from 'vitest';
import { MAX_INBOUND_BYTES, MAX_JSON_DEPTH, MAX_JSON_KEYS } from '../../../lambdas/core/constants.js';
import { ProtocolError } from '../../../lambdas/core/errors.js';
import { parseRequest } from '../../../lambdas/core/protocol.js';

const codeOf = (body: string): string | undefined => {
  try {
    parseRequest(body);
    return undefined;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
};

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseRequest bounds', () => {
  it('refuses a frame over the inbound limit with PAYLOAD_TOO_LARGE before parsing it', () => {
    // Not even JSON: the size is checked first.
    expect(codeOf('x'.repeat(MAX_INBOUND_BYTES + 1))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const data = 'é'.repeat(MAX_INBOUND_BYTES / 2);
    expect(codeOf(JSON.stringify({ action: 'publish', channel: 'c', data }))).toBe('PAYLOAD_TOO_LARGE');
    expect(
      codeOf(JSON.stringify({ action: 'publish', channel: 'c', data: 'é'.repeat(1000) })),
    ).toBeUndefined();
  });

  it(`accepts data nested ${MAX_JSON_DEPTH - 1} deep and refuses one level more with INVALID_REQUEST`, () => {
    // The envelope is level 1.
    const ok = `{"action":"publish","channel":"c","data":${nested(MAX_JSON_DEPTH - 1)}}`;
    const deep = `{"action":"publish","channel":"c","data":${nested(MAX_JSON_DEPTH)}}`;
    expect(codeOf(ok)).toBeUndefined();
    expect(codeOf(deep)).toBe('INVALID_REQUEST');
  });

  it('refuses a deeply nested frame without overflowing the stack', () => {
    expect(['INVALID_REQUEST', 'INVALID_JSON']).toContain(codeOf(`{"a":${nested(50_000)}}`));
  });

  it(`refuses more than ${MAX_JSON_KEYS} keys with PAYLOAD_TOO_LARGE`, () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    // The envelope's own three keys count too.
    expect(codeOf(JSON.stringify({ action: 'publish', channel: 'c', data: keys(MAX_JSON_KEYS - 3) }))).toBe(
      undefined,
    );
    expect(codeOf(JSON.stringify({ action: 'publish', channel: 'c', data: keys(MAX_JSON_KEYS) }))).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses a string id longer than 128 characters and does not echo it', () => {
    const id = 'i'.repeat(129);
    try {
      parseRequest(JSON.stringify({ action: 'ping', id }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_REQUEST', requestId: undefined });
    }
  });
});

describe('parseRequest with prototype keys', () => {
  it('passes __proto__, constructor and prototype in data through verbatim, polluting nothing', () => {
    // Prepare
    const body =
      '{"action":"publish","channel":"c","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":2}}}}';

    // Act
    const request = parseRequest(body);

    // Assess
    expect(JSON.stringify(request.action === 'publish' && request.data)).toBe(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":2}}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('x');
  });

  it('ignores a top-level __proto__ like any unknown key', () => {
    const request = parseRequest('{"action":"ping","__proto__":{"action":"publish"},"id":1}');

    expect(request).toEqual({ action: 'ping', id: 1 });
    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
  });

  it('answers a __proto__ channel with INVALID_CHANNEL, not a crash', () => {
    expect(codeOf('{"action":"subscribe","channel":{"__proto__":null}}')).toBe('INVALID_REQUEST');
    expect(codeOf('{"action":"subscribe","channel":"__proto__"}')).toBeUndefined();
  });

  it('accepts lone surrogates, a BOM and NUL inside data', () => {
    expect(codeOf('{"action":"publish","channel":"c","data":"\\ud800 \\ufeff \\u0000"}')).toBeUndefined();
    expect(codeOf('\ufeff{"action":"ping"}')).toBe('INVALID_JSON');
  });
});
