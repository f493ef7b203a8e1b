import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifySendError, ManagementApiMessenger } from '../../../lambdas/adapters/management-messenger.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';

const api = mockClient(ApiGatewayManagementApiClient);

const messenger = () =>
  new ManagementApiMessenger(
    new ApiGatewayManagementApiClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9/prod' }),
  );

const serviceError = (name: string, status: number) =>
  new ApiGatewayManagementApiServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

const networkError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

beforeEach(() => {
  api.reset();
});

describe('ManagementApiMessenger', () => {
  it('posts the frame to that connection and reports it sent', async () => {
    api.on(PostToConnectionCommand).resolves({});

    await expect(messenger().send('abc=', '{"type":"pong"}')).resolves.toBe('sent');

    expect(api.commandCalls(PostToConnectionCommand)[0]?.args[0].input).toEqual({
      ConnectionId: 'abc=',
      Data: '{"type":"pong"}',
    });
  });

  it("reports 'gone' for a GoneException (410)", async () => {
    api
      .on(PostToConnectionCommand)
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));

    await expect(messenger().send('abc=', 'x')).resolves.toBe('gone');
  });

  it.each([
    [
      '429 LimitExceededException',
      new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }),
    ],
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 429)],
    ['500', serviceError('InternalServerErrorException', 500)],
    ['503', serviceError('ServiceUnavailable', 503)],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
  ])('throws RetryableSendError, keeping the cause, on %s', async (_, error) => {
    api.on(PostToConnectionCommand).rejects(error);

    const failure = await messenger()
      .send('abc=', 'x')
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).cause).toBe(error);
    expect((failure as RetryableSendError).connectionId).toBe('abc=');
  });

  it.each([
    [
      '403 ForbiddenException',
      new ForbiddenException({ message: 'Forbidden', $metadata: { httpStatusCode: 403 } }),
    ],
    [
      '413 PayloadTooLargeException',
      new PayloadTooLargeException({ message: 'too big', $metadata: { httpStatusCode: 413 } }),
    ],
    ['an unknown error', new Error('surprise')],
  ])('rethrows %s unchanged', async (_, error) => {
    api.on(PostToConnectionCommand).rejects(error);

    await expect(messenger().send('abc=', 'x')).rejects.toBe(error);
  });
});

describe('classifySendError', () => {
  it('treats a bare 410 without the error type header as gone', () => {
    expect(classifySendError(serviceError('UnknownError', 410))).toBe('gone');
  });

  it('treats a bare 429 or 5xx status, whatever the error name, as retryable', () => {
    expect(classifySendError(serviceError('UnknownError', 429))).toBe('retryable');
    expect(classifySendError(serviceError('UnknownError', 502))).toBe('retryable');
    expect(classifySendError(serviceError('UnknownError', 400))).toBe('fatal');
  });

  it('treats non-objects as fatal', () => {
    expect(classifySendError('boom')).toBe('fatal');
    expect(classifySendError(undefined)).toBe('fatal');
  });
});
