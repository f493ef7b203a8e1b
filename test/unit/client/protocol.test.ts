import { describe, expect, it } from 'vitest';
import { buildUrl, MAX_FRAME_BYTES } from '../../../client/index.js';
import { decodeFrame, fitsInFrame, frameBytes } from '../../../client/protocol.js';

describe('decodeFrame', () => {
  it('classifies an object with a type as a typed frame', () => {
    expect(decodeFrame('{"type":"pong","id":"x-1"}')).toEqual({
      kind: 'typed',
      frame: { type: 'pong', id: 'x-1' },
    });
  });

  it.each([
    ['text that is not JSON', 'hello there'],
    ['a JSON string', '"hi"'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['an object without type (a sendmessage broadcast)', '{"text":"hi"}'],
    ['an empty frame', ''],
  ])('hands back %s as raw', (_what, data) => {
    expect(decodeFrame(data)).toEqual({ kind: 'raw', data });
  });

  it('hands back a binary frame as raw', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(decodeFrame(bytes)).toEqual({ kind: 'raw', data: bytes });
  });

  it("recognises API Gateway's own error frame, which has no type and no id", () => {
    const frame = { message: 'Internal server error', connectionId: 'abc=', requestId: 'req-1' };
    expect(decodeFrame(JSON.stringify(frame))).toEqual({ kind: 'gateway', frame });
  });
});

describe('frameBytes / fitsInFrame', () => {
  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    expect(frameBytes('é')).toBe(2);
    expect(frameBytes('€')).toBe(3);
    expect(frameBytes('😀')).toBe(4);
  });

  it('accepts a frame of exactly 32 KB and refuses one byte more', () => {
    expect(fitsInFrame('a'.repeat(MAX_FRAME_BYTES))).toBe(true);
    expect(fitsInFrame('a'.repeat(MAX_FRAME_BYTES + 1))).toBe(false);
  });

  it('refuses a frame whose characters fit but whose bytes do not', () => {
    const text = '€'.repeat(11_000);
    expect(text.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(fitsInFrame(text)).toBe(false);
  });
});

describe('buildUrl', () => {
  it('adds the parameters as a new query string, percent-encoded', () => {
    expect(buildUrl('wss://x/prod', { clientId: 'c 1', name: 'Zoë & co' })).toBe(
      'wss://x/prod?clientId=c%201&name=Zo%C3%AB%20%26%20co',
    );
  });

  it('appends to a query string the URL already has', () => {
    expect(buildUrl('wss://x/prod?v=2', { token: 'a.b.c' })).toBe('wss://x/prod?v=2&token=a.b.c');
    expect(buildUrl('wss://x/prod?', { token: 't' })).toBe('wss://x/prod?token=t');
  });

  it('leaves the URL alone when no parameter is set', () => {
    expect(buildUrl('wss://x/prod', { clientId: undefined, name: '' })).toBe('wss://x/prod');
  });
});
