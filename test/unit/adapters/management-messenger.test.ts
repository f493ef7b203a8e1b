import { describe, expect, it, vi } from 'vitest';
import {
  type ConnectionPoster,
  ManagementApiError,
  RequestTimeoutError,
} from '../../../lambdas/adapters/management-api-client.js';
import { classifySendError, ManagementApiMessenger } from '../../../lambdas/adapters/management-messenger.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';

type PostToConnection = ConnectionPoster['postToConnection'];

const acceptingPoster = () => ({ postToConnection: vi.fn<PostToConnection>().mockResolvedValue(undefined) });

const rejectingPoster = (error: unknown) => ({
  postToConnection: vi.fn<PostToConnection>().mockRejectedValue(error),
});

const messengerFailingWith = (error: unknown) => new ManagementApiMessenger(rejectingPoster(error));

const networkError = (code: string) => Object.assign(new Error('socket hang up'), { code });

describe('ManagementApiMessenger', () => {
  it('posts the frame to that connection and reports it sent', async () => {
    const poster = acceptingPoster();

    await expect(new ManagementApiMessenger(poster).send('abc=', '{"type":"pong"}')).resolves.toBe('sent');

    expect(poster.postToConnection).toHaveBeenCalledExactlyOnceWith('abc=', '{"type":"pong"}');
  });

  it("reports 'gone' for a GoneException (410)", async () => {
    const poster = rejectingPoster(new ManagementApiError('GoneException', 410, 'Gone'));

    await expect(new ManagementApiMessenger(poster).send('abc=', 'x')).resolves.toBe('gone');

    expect(poster.postToConnection).toHaveBeenCalledExactlyOnceWith('abc=', 'x');
  });

  it.each([
    ['429 LimitExceededException', new ManagementApiError('LimitExceededException', 429, 'slow down')],
    ['ThrottlingException', new ManagementApiError('ThrottlingException', 400, 'Rate exceeded')],
    ['TooManyRequestsException', new ManagementApiError('TooManyRequestsException', 429, 'Too many')],
    ['500', new ManagementApiError('InternalServerErrorException', 500, 'Internal server error')],
    ['503', new ManagementApiError('ServiceUnavailable', 503, 'Service unavailable')],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['TimeoutError', new RequestTimeoutError('POST @connections/abc= got no answer within 5000 ms')],
  ])('throws RetryableSendError, keeping the cause, on %s', async (_, error) => {
    const failure = await messengerFailingWith(error)
      .send('abc=', 'x')
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).cause).toBe(error);
    expect((failure as RetryableSendError).connectionId).toBe('abc=');
  });

  it.each([
    ['403 ForbiddenException', new ManagementApiError('ForbiddenException', 403, 'Forbidden')],
    ['413 PayloadTooLargeException', new ManagementApiError('PayloadTooLargeException', 413, 'too big')],
    ['an unknown error', new Error('surprise')],
  ])('rethrows %s unchanged', async (_, error) => {
    await expect(messengerFailingWith(error).send('abc=', 'x')).rejects.toBe(error);
  });
});

describe('classifySendError', () => {
  // Without an `x-amzn-ErrorType` header the client names the error after the status: `Http410Error`.
  it('treats a bare 410 without the error type header as gone', () => {
    expect(classifySendError(new ManagementApiError('Http410Error', 410, 'Http410Error'))).toBe('gone');
  });

  it('treats a bare 429 or 5xx status, whatever the error name, as retryable', () => {
    expect(classifySendError(new ManagementApiError('Http429Error', 429, 'Http429Error'))).toBe('retryable');
    expect(classifySendError(new ManagementApiError('Http502Error', 502, 'Http502Error'))).toBe('retryable');
    expect(classifySendError(new ManagementApiError('Http400Error', 400, 'Http400Error'))).toBe('fatal');
  });

  it('does not trust a statusCode that is not a number', () => {
    expect(classifySendError({ name: 'Http410Error', statusCode: '410' })).toBe('fatal');
    expect(classifySendError({ name: 'Http429Error', statusCode: '429' })).toBe('fatal');
    expect(classifySendError({ name: 'Http503Error', statusCode: '503' })).toBe('fatal');
  });

  it('treats non-objects as fatal', () => {
    expect(classifySendError('boom')).toBe('fatal');
    expect(classifySendError(undefined)).toBe('fatal');
    expect(classifySendError(null)).toBe('fatal');
  });
});
