/**
 * The gateway's typed errors.
 *
 * @module
 */

/** The port the gateway was asked to listen on is taken; the message says how to choose another. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  /** Stable code, the same as Node's for the underlying failure. */
  readonly code = 'EADDRINUSE';

  constructor(
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(
      `Port ${port} on ${host} is already in use. Stop the process listening there, or pick another port ` +
        'with --port <n> (or the PORT environment variable); --port 0 picks a free one.',
      options,
    );
  }
}
