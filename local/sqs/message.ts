/**
 * What an SQS message is made of, and the checksums SQS computes over it: `MD5OfBody` (the hex MD5 of the body's
 * UTF-8 bytes, which the AWS SDK verifies on every send and receive) and `MD5OfMessageAttributes` (AWS's
 * documented encoding: for each attribute in name order, the length-prefixed name, data type, a transport byte
 * — 1 for strings and numbers, 2 for binary — and the length-prefixed value).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { invalidParameter, SqsError } from './errors.js';

/** One message attribute as the JSON protocol carries it (`BinaryValue` in base64). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** Message attributes by name. */
export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

/** SQS allows at most 10 message attributes per message. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** The hex MD5 of a string's UTF-8 bytes: `MD5OfBody` / `MD5OfMessageBody`. */
export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** `MD5OfMessageAttributes`, or undefined when there are none (SQS then omits it). */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

/** The bytes of a message that count against `MaximumMessageSize`: body, attribute names, types and values. */
export function messageSize(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    size +=
      attribute.BinaryValue !== undefined
        ? Buffer.from(attribute.BinaryValue, 'base64').length
        : Buffer.byteLength(attribute.StringValue ?? '');
  }
  return size;
}

/** Characters SQS accepts in a body: #x9 #xA #xD, #x20–#xD7FF, #xE000–#xFFFD, #x10000–#x10FFFF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is being matched
const INVALID_BODY_CHARACTER = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Checks a body and its attributes as SQS does on send. @throws SqsError */
export function validateMessage(body: unknown, attributes: unknown, maximumSize: number): MessageAttributes {
  if (typeof body !== 'string' || body.length === 0) {
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  if (INVALID_BODY_CHARACTER.test(body)) {
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const checked = validateAttributes(attributes);
  if (messageSize(body, checked) > maximumSize) {
    throw invalidParameter(`Message must be shorter than ${maximumSize} bytes.`);
  }
  return checked;
}

/** Checks message attributes: at most 10, each with a valid data type and a value. @throws SqsError */
export function validateAttributes(value: unknown): MessageAttributes {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidParameter('MessageAttributes is not a map.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  }
  const checked: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of entries) {
    const attribute = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const dataType = attribute.DataType;
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type.`);
    }
    const binary = dataType.startsWith('Binary');
    const stringValue = attribute.StringValue;
    const binaryValue = attribute.BinaryValue;
    if (binary ? typeof binaryValue !== 'string' : typeof stringValue !== 'string') {
      throw invalidParameter(
        `The message attribute '${name}' must contain a non-empty message attribute value.`,
      );
    }
    checked[name] = binary
      ? { DataType: dataType, BinaryValue: binaryValue as string }
      : { DataType: dataType, StringValue: stringValue as string };
  }
  return checked;
}

/**
 * The attributes a receive asked for: `All` or `.*` for every one, exact names, and `prefix.*` patterns (SQS's
 * rules for `MessageAttributeNames`).
 */
export function selectMessageAttributes(
  attributes: MessageAttributes,
  names: readonly string[],
): MessageAttributes {
  const wanted = (name: string): boolean =>
    names.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted(name)));
}
