/**
 * API Gateway's per-frame limit, enforced on the raw byte stream. `ws` only limits whole messages
 * (`maxPayload`), so this reads WebSocket frame headers (RFC 6455 §5.2) as bytes arrive, before `ws` parses
 * them, keeping its state across TCP chunk boundaries and skipping payloads without buffering them.
 *
 * @module
 */
import { CloseCode, FRAME_LIMIT_BYTES, MESSAGE_LIMIT_BYTES } from './constants.js';

/** Why a connection must be closed, and with which close code. */
export interface FrameViolation {
  readonly code: number;
  readonly reason: string;
}

/** The limits checked per frame header. */
export interface FrameLimits {
  /** Largest allowed payload of one text or continuation frame. */
  readonly frameBytes: number;
  /** Largest allowed total payload of one (possibly fragmented) message. */
  readonly messageBytes: number;
}

const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
/** Longest frame header: 2 bytes + 8-byte extended length + 4-byte mask. */
const MAX_HEADER_BYTES = 14;

/** API Gateway's limits: 32 KB per frame, 128 KB per message. */
export const API_GATEWAY_FRAME_LIMITS: FrameLimits = {
  frameBytes: FRAME_LIMIT_BYTES,
  messageBytes: MESSAGE_LIMIT_BYTES,
};

/**
 * Watches the client-to-server byte stream of one connection and reports the first frame that breaks a limit:
 * a text/continuation frame over the frame limit or a message over the message limit (1009), or a binary frame
 * (1003; text only in this setup). After a violation it stops reading.
 */
export class FrameLimitWatcher {
  private readonly header = Buffer.alloc(MAX_HEADER_BYTES);
  private headerLength = 0;
  private payloadRemaining = 0;
  private messageBytes = 0;
  private stopped = false;

  constructor(private readonly limits: FrameLimits = API_GATEWAY_FRAME_LIMITS) {}

  /** Feeds the next chunk from the socket; returns a violation at most once. */
  push(chunk: Buffer): FrameViolation | undefined {
    let offset = 0;
    while (!this.stopped && offset < chunk.length) {
      if (this.payloadRemaining > 0) {
        const skipped = Math.min(this.payloadRemaining, chunk.length - offset);
        this.payloadRemaining -= skipped;
        offset += skipped;
        continue;
      }
      const needed = this.headerBytesNeeded();
      const copied = Math.min(needed - this.headerLength, chunk.length - offset);
      chunk.copy(this.header, this.headerLength, offset, offset + copied);
      this.headerLength += copied;
      offset += copied;
      // The first two bytes decide how long the header is; loop again to read the rest of it.
      if (this.headerLength < this.headerBytesNeeded()) continue;
      const violation = this.onFrameHeader();
      this.headerLength = 0;
      if (violation) {
        this.stopped = true;
        return violation;
      }
    }
    return undefined;
  }

  /** Bytes the current header needs, known exactly once its first two bytes are in. */
  private headerBytesNeeded(): number {
    if (this.headerLength < 2) return 2;
    const second = this.header[1] ?? 0;
    const lengthCode = second & 0x7f;
    const extended = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0;
    const mask = second & 0x80 ? 4 : 0;
    return 2 + extended + mask;
  }

  private onFrameHeader(): FrameViolation | undefined {
    const first = this.header[0] ?? 0;
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    const length = this.payloadLength();
    this.payloadRemaining = length;
    if (opcode === OPCODE_BINARY) {
      return { code: CloseCode.unsupportedData, reason: 'Binary frames are not supported' };
    }
    if (opcode !== OPCODE_TEXT && opcode !== OPCODE_CONTINUATION) return undefined; // control frame
    if (opcode === OPCODE_TEXT) this.messageBytes = 0;
    if (length > this.limits.frameBytes) {
      return { code: CloseCode.messageTooBig, reason: `Frame size exceeds ${this.limits.frameBytes} bytes` };
    }
    this.messageBytes += length;
    if (this.messageBytes > this.limits.messageBytes) {
      return {
        code: CloseCode.messageTooBig,
        reason: `Message size exceeds ${this.limits.messageBytes} bytes`,
      };
    }
    if (fin) this.messageBytes = 0;
    return undefined;
  }

  private payloadLength(): number {
    const lengthCode = (this.header[1] ?? 0) & 0x7f;
    if (lengthCode === 126) return this.header.readUInt16BE(2);
    if (lengthCode === 127) return Number(this.header.readBigUInt64BE(2));
    return lengthCode;
  }
}
