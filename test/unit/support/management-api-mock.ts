/**
 * What tests of the fan-out need of the Management API: the errors `PostToConnection` throws, built the way the
 * SDK builds them, and the `aws-sdk-client-mock` matchers (`toHaveReceivedCommandWith`, …) registered on
 * `expect`.
 *
 * @module
 */
import 'aws-sdk-client-mock-vitest/extend';
import {
  type ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** A mocked `ApiGatewayManagementApiClient`, as `mockClient(ApiGatewayManagementApiClient)` returns it. */
export type ManagementApiMock = AwsClientStub<ApiGatewayManagementApiClient>;

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

/** `410 GoneException`: the connection is closed. */
export const goneError = (): GoneException => new GoneException({ message: 'Gone', ...metadata(410) });

/** `429 LimitExceededException`: the account's `@connections` rate. */
export const throttledError = (): LimitExceededException =>
  new LimitExceededException({ message: 'Rate exceeded', ...metadata(429) });

/** `403 ForbiddenException`: missing IAM permission or wrong stage. */
export const forbiddenError = (): ForbiddenException =>
  new ForbiddenException({ message: 'Forbidden', ...metadata(403) });

/** `413 PayloadTooLargeException`. */
export const payloadTooLargeError = (): PayloadTooLargeException =>
  new PayloadTooLargeException({ message: 'Request entity too large', ...metadata(413) });

/**
 * An error the SDK has no class for, as it deserializes one: a service exception with the error type as its
 * `name` and the answer's status in `$metadata` (e.g. `ThrottlingException`, `InternalServerErrorException`).
 */
export const serviceError = (name: string, httpStatusCode: number): ApiGatewayManagementApiServiceException =>
  new ApiGatewayManagementApiServiceException({
    name,
    message: name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    ...metadata(httpStatusCode),
  });

/** What smithy's `NodeHttpHandler` throws when `requestTimeout` or `connectionTimeout` passes. */
export const timeoutError = (): Error =>
  Object.assign(new Error('Request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });

/** What a socket that broke under the request throws (`ECONNRESET`, `EPIPE`, …). */
export const networkError = (code: string): Error => Object.assign(new Error(`socket ${code}`), { code });

/** The connection ids of every `PostToConnection` the mock received, rejected ones included, in call order. */
export const postedTo = (mock: ManagementApiMock): string[] =>
  mock.commandCalls(PostToConnectionCommand).map((call) => call.args[0].input.ConnectionId ?? '');

/** The `Data` of every `PostToConnection` the mock received, as text, in call order. */
export const postedFrames = (mock: ManagementApiMock): string[] =>
  mock.commandCalls(PostToConnectionCommand).map((call) => {
    const data = call.args[0].input.Data;
    return typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString('utf8');
  });
