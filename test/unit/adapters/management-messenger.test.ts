import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  awsRequestIdOf,
  classifySendError,
  ManagementApiMessenger,
} from '../../../lambdas/adapters/management-messenger.js';
import { RetryableSendError } from '../../../lambdas/core/errors.js';
import {
  forbiddenError,
  goneError,
  networkError,
  payloadTooLargeError,
  serviceError,
  throttledError,
  timeoutError,
} from '../support/management-api-mock.js';

const api = mockClient(ApiGatewayManagementApiClient);

const messenger = () =>
  new ManagementApiMessenger(
    new ApiGatewayManagementApiClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9/prod' }),
  );

const failureOf = (error: Error) => {
  api.on(PostToConnectionCommand).rejects(error);
  return messenger()
    .send('abc=', 'x')
    .catch((e: unknown) => e);
};

beforeEach(() => {
  api.reset();
});

describe('ManagementApiMessenger close', () => {
  it('deletes the connection through the Management API', async () => {
    api.on(DeleteConnectionCommand).resolves({});

    await expect(messenger().close('abuser=')).resolves.toBe('closed');

    expect(api).toHaveReceivedCommandExactlyOnceWith(DeleteConnectionCommand, { ConnectionId: 'abuser=' });
  });

  it("reports 'gone' for a connection that is closed already (410)", async () => {
    api.on(DeleteConnectionCommand).rejects(goneError());

    await expect(messenger().close('abuser=')).resolves.toBe('gone');
  });

  it('throws RetryableSendError on throttling and the 403 as it came', async () => {
    api.on(DeleteConnectionCommand).rejectsOnce(throttledError()).rejectsOnce(forbiddenError());

    await expect(messenger().close('abuser=')).rejects.toBeInstanceOf(RetryableSendError);
    await expect(messenger().close('abuser=')).rejects.toMatchObject({ name: 'ForbiddenException' });
  });
});

describe('ManagementApiMessenger', () => {
  it('posts the frame to that connection and reports it sent', async () => {
    api.on(PostToConnectionCommand).resolves({});

    await expect(messenger().send('abc=', '{"type":"pong"}')).resolves.toBe('sent');

    expect(api).toHaveReceivedCommandExactlyOnceWith(PostToConnectionCommand, {
      ConnectionId: 'abc=',
      Data: '{"type":"pong"}',
    });
  });

  it("reports 'gone' for a GoneException (410)", async () => {
    api.on(PostToConnectionCommand).rejects(goneError());

    await expect(messenger().send('abc=', 'x')).resolves.toBe('gone');

    expect(api).toHaveReceivedCommandTimes(PostToConnectionCommand, 1);
  });

  it.each([
    ['429 LimitExceededException', throttledError()],
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 429)],
    ['500', serviceError('InternalServerErrorException', 500)],
    ['503', serviceError('ServiceUnavailable', 503)],
    ['ECONNRESET', networkError('ECONNRESET')],
    ['TimeoutError', timeoutError()],
  ])('throws RetryableSendError, keeping the cause, on %s', async (_, error) => {
    const failure = await failureOf(error);

    expect(failure).toBeInstanceOf(RetryableSendError);
    expect((failure as RetryableSendError).cause).toBe(error);
    expect((failure as RetryableSendError).connectionId).toBe('abc=');
  });

  it.each([
    ['403 ForbiddenException', forbiddenError()],
    ['413 PayloadTooLargeException', payloadTooLargeError()],
    ['an unknown error', new Error('surprise')],
  ])('rethrows %s unchanged', async (_, error) => {
    await expect(failureOf(error)).resolves.toBe(error);
  });
});

describe('classifySendError', () => {
  describe("'gone'", () => {
    it('is a GoneException', () => {
      expect(classifySendError(goneError())).toBe('gone');
    });

    it('is a bare 410, whatever the error name', () => {
      expect(classifySendError(serviceError('UnknownError', 410))).toBe('gone');
    });
  });

  describe("'retryable'", () => {
    it.each(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException'])(
      'is a %s, whatever its status',
      (name) => {
        expect(classifySendError(serviceError(name, 400))).toBe('retryable');
      },
    );

    it('is a bare 429 or any 5xx, whatever the error name', () => {
      expect(classifySendError(serviceError('UnknownError', 429))).toBe('retryable');
      expect(classifySendError(serviceError('UnknownError', 500))).toBe('retryable');
      expect(classifySendError(serviceError('UnknownError', 502))).toBe('retryable');
      expect(classifySendError(serviceError('UnknownError', 599))).toBe('retryable');
    });

    it("is smithy's TimeoutError (request or connection timeout), which has no status", () => {
      expect(classifySendError(timeoutError())).toBe('retryable');
      expect(classifySendError(Object.assign(new Error('slow'), { name: 'TimeoutError' }))).toBe('retryable');
    });

    it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])(
      'is a socket error with code %s',
      (code) => {
        expect(classifySendError(networkError(code))).toBe('retryable');
      },
    );
  });

  describe("'fatal'", () => {
    it.each([
      ['403 ForbiddenException', forbiddenError()],
      ['413 PayloadTooLargeException', payloadTooLargeError()],
      ['a bare 400', serviceError('UnknownError', 400)],
      ['a socket error nobody retries', networkError('ENOTFOUND')],
      ['an error without status or code', new Error('surprise')],
    ])('is %s', (_, error) => {
      expect(classifySendError(error)).toBe('fatal');
    });

    it('is a status that is not a number', () => {
      const withStatus = (httpStatusCode: unknown) =>
        Object.assign(serviceError('UnknownError', 400), { $metadata: { httpStatusCode } });
      expect(classifySendError(withStatus('410'))).toBe('fatal');
      expect(classifySendError(withStatus('429'))).toBe('fatal');
      expect(classifySendError(withStatus('503'))).toBe('fatal');
    });

    it('is anything that is not an object', () => {
      expect(classifySendError('boom')).toBe('fatal');
      expect(classifySendError(undefined)).toBe('fatal');
      expect(classifySendError(null)).toBe('fatal');
    });
  });
});

describe('awsRequestIdOf', () => {
  it("finds API Gateway's x-amzn-RequestId on an SDK error, and through a RetryableSendError's cause", async () => {
    const throttled = Object.assign(throttledError(), {
      $metadata: { httpStatusCode: 429, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    });

    const wrapped = await failureOf(throttled);

    expect(wrapped).toBeInstanceOf(RetryableSendError);
    expect(awsRequestIdOf(wrapped)).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
    expect(awsRequestIdOf(throttled)).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
  });

  it('is undefined for a request that got no answer, and for things that are not errors', () => {
    expect(awsRequestIdOf(timeoutError())).toBeUndefined();
    expect(awsRequestIdOf(forbiddenError())).toBeUndefined();
    expect(awsRequestIdOf('boom')).toBeUndefined();
    expect(awsRequestIdOf(undefined)).toBeUndefined();
  });
});
