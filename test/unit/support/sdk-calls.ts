/**
 * Order of the calls an `aws-sdk-client-mock` mock received (sinon's `calledBefore`, which its typings do
 * not expose through `callId`).
 *
 * @module
 */

/** One recorded SDK call, as `mock.commandCalls(…)` returns it. */
interface RecordedCall {
  calledBefore(other: never): boolean;
}

/** Whether both calls were made, `first` before `second`. */
export const madeBefore = (first: RecordedCall | undefined, second: RecordedCall | undefined): boolean =>
  first !== undefined && second !== undefined && first.calledBefore(second as never);
