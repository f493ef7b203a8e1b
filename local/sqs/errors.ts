/**
 * The errors of the local SQS, as SQS's JSON protocol reports them: an HTTP status, a `__type` naming the
 * modelled shape (`com.amazonaws.sqs#QueueDoesNotExist`) and, because SQS is "query compatible", an
 * `x-amzn-query-error` header carrying the legacy code (`AWS.SimpleQueueService.NonExistentQueue;Sender`), which
 * is what the AWS SDK reads to pick the exception class.
 *
 * @module
 */

/** The errors the local SQS raises: shape name, legacy (query) code and HTTP status, as AWS's model has them. */
export const SQS_ERRORS = {
  QueueDoesNotExist: { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  InvalidParameterValue: { code: 'InvalidParameterValue', status: 400 },
  MissingParameter: { code: 'MissingParameter', status: 400 },
  InvalidMessageContents: { code: 'InvalidMessageContents', status: 400 },
  InvalidAttributeName: { code: 'InvalidAttributeName', status: 400 },
  EmptyBatchRequest: { code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { code: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  UnsupportedOperation: { code: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAction: { code: 'InvalidAction', status: 400 },
} as const;

/** The name of an error shape of {@link SQS_ERRORS}. */
export type SqsErrorName = keyof typeof SQS_ERRORS;

/** An SQS error: the shape name, its legacy code and status, and AWS's wording where it is known. */
export class SqsError extends Error {
  override readonly name = 'SqsError';
  readonly code: string;
  readonly status: number;

  constructor(
    readonly type: SqsErrorName,
    message: string,
  ) {
    super(message);
    this.code = SQS_ERRORS[type].code;
    this.status = SQS_ERRORS[type].status;
  }
}

/** The queue named in a request does not exist (AWS's message). */
export const noSuchQueue = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** A parameter is out of range or malformed; AWS prefixes the reason like this. */
export const invalidParameter = (reason: string): SqsError =>
  new SqsError('InvalidParameterValue', `Value for parameter is invalid. Reason: ${reason}`);
