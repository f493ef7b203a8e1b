/**
 * Errors of the assembly reader and the intrinsic resolver. Their messages are one line and meant to be shown
 * to the user as they are (the CLI prints `error.message`).
 *
 * @module
 */

/** The cloud assembly is missing, unreadable or not what the runtime can serve. */
export class AssemblyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AssemblyError';
  }
}

/** A CloudFormation value cannot be resolved offline (unknown reference, unsupported intrinsic, …). */
export class ResolveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResolveError';
  }
}
