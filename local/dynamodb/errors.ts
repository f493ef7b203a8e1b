/**
 * Typed errors of the local DynamoDB engines: each says what is wrong and how to fix it in one line, so the
 * CLI can print `message` as is.
 *
 * @module
 */

/** Stable codes of {@link DynamoEngineError}. */
export type DynamoEngineErrorCode = 'JAVA_MISSING' | 'ENGINE_START_FAILED' | 'ENDPOINT_INVALID';

/** A local DynamoDB engine could not be started or reached. */
export class DynamoEngineError extends Error {
  override readonly name = 'DynamoEngineError';
  readonly code: DynamoEngineErrorCode;

  constructor(code: DynamoEngineErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
