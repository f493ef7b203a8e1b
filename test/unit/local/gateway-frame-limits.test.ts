import { describe, expect, it } from 'vitest';
import { FrameLimitWatcher } from '../../../local/gateway/frame-limits.js';

/** A masked client frame (RFC 6455 §5.2) with the smallest length encoding for `payloadLength`. */
function frame(opcode: number, payloadLength: number, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  let header: Buffer;
  if (payloadLength < 126) {
    header = Buffer.from([first, 0x80 | payloadLength]);
  } else if (payloadLength < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8(0x80 | 126, 1);
    header.writeUInt16BE(payloadLength, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8(0x80 | 127, 1);
    header.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  return Buffer.concat([header, Buffer.from([1, 2, 3, 4]), Buffer.alloc(payloadLength, 0x61)]);
}

const TEXT = 0x1;
const CONTINUATION = 0x0;
const BINARY = 0x2;
const PING = 0x9;
const limits = { frameBytes: 100, messageBytes: 250 };

/** Feeds `stream` in chunks of `size` bytes and returns the first violation and the byte offset it came at. */
function feed(stream: Buffer, size: number) {
  const watcher = new FrameLimitWatcher(limits);
  for (let offset = 0; offset < stream.length; offset += size) {
    const violation = watcher.push(stream.subarray(offset, offset + size));
    if (violation) return { violation, at: Math.min(offset + size, stream.length) };
  }
  return undefined;
}

describe('FrameLimitWatcher', () => {
  it('lets through frames and messages at the limits, whatever the chunking', () => {
    // Prepare
    const stream = Buffer.concat([
      frame(TEXT, 100),
      frame(TEXT, 100, false),
      frame(PING, 4),
      frame(CONTINUATION, 100, false),
      frame(CONTINUATION, 50),
      frame(TEXT, 0),
    ]);

    // Act / Assess
    for (const size of [1, 2, 3, 7, 64, stream.length]) expect(feed(stream, size)).toBeUndefined();
  });

  it('reports 1009 for a text frame one byte over the frame limit, from its header alone', () => {
    // Prepare
    const first = frame(TEXT, 10);
    const stream = Buffer.concat([first, frame(TEXT, 101)]);

    // Act
    const result = feed(stream, 1);

    // Assess
    expect(result?.violation.code).toBe(1009);
    // 2-byte header + 4-byte mask of the second frame: reported before any of its payload arrives.
    expect(result?.at).toBe(first.length + 6);
  });

  it('reports 1009 for an oversized continuation frame', () => {
    // Act
    const result = feed(Buffer.concat([frame(TEXT, 10, false), frame(CONTINUATION, 101)]), 5);

    // Assess
    expect(result?.violation.code).toBe(1009);
  });

  it('reports 1009 when the fragments of one message add up to more than the message limit', () => {
    // Prepare
    const stream = Buffer.concat([
      frame(TEXT, 100, false),
      frame(CONTINUATION, 100, false),
      frame(CONTINUATION, 51),
    ]);

    // Act
    const result = feed(stream, 3);

    // Assess
    expect(result?.violation).toEqual({ code: 1009, reason: 'Message size exceeds 250 bytes' });
  });

  it('counts each message separately', () => {
    // Prepare
    const message = [frame(TEXT, 100, false), frame(CONTINUATION, 100)];

    // Act / Assess
    expect(feed(Buffer.concat([...message, ...message, ...message]), 11)).toBeUndefined();
  });

  it('reads 16-bit and 64-bit extended lengths', () => {
    // Prepare
    const watcher = new FrameLimitWatcher({ frameBytes: 70_000, messageBytes: 70_000 });

    // Act
    const medium = watcher.push(frame(TEXT, 60_000));
    const large = watcher.push(frame(TEXT, 70_001));

    // Assess
    expect(medium).toBeUndefined();
    expect(large?.code).toBe(1009);
  });

  it('reports 1003 for a binary frame of any size', () => {
    // Act
    const result = feed(Buffer.concat([frame(TEXT, 5), frame(BINARY, 1)]), 4);

    // Assess
    expect(result?.violation.code).toBe(1003);
  });

  it('reports only the first violation', () => {
    // Prepare
    const watcher = new FrameLimitWatcher(limits);

    // Act
    const first = watcher.push(frame(BINARY, 1));
    const second = watcher.push(frame(TEXT, 500));

    // Assess
    expect(first?.code).toBe(1003);
    expect(second).toBeUndefined();
  });
});
