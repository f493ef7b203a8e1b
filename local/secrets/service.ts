/**
 * Secrets Manager on the runtime's services endpoint, in its wire protocol (AWS JSON 1.1: `POST /` with
 * `X-Amz-Target: secretsmanager.<Operation>`), so the SDK's `SecretsManagerClient` — in a function, through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, or in a script — works unchanged. Emulated: `GetSecretValue` and
 * `DescribeSecret`, with the errors Secrets Manager answers (`ResourceNotFoundException`, …). Any signature is
 * accepted.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../services/server.js';
import type { LocalSecret, SecretVault } from './vault.js';

const TARGET_PREFIX = 'secretsmanager.';
const CURRENT = 'AWSCURRENT';

/** A Secrets Manager error: its `__type`, HTTP status and message. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const NOT_FOUND = (): ServiceError =>
  new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

function reply(status: number, body: unknown): ServiceResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  };
}

/** Epoch seconds with milliseconds, as AWS JSON timestamps are. */
const seconds = (ms: number): number => ms / 1000;

function parseInput(request: ServiceRequest): Record<string, unknown> {
  let input: unknown;
  try {
    input = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return input as Record<string, unknown>;
}

function secretOf(vault: SecretVault, input: Record<string, unknown>): LocalSecret {
  const id = input.SecretId;
  if (typeof id !== 'string' || id.length === 0 || id.length > 2048) {
    throw new ServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
    );
  }
  const secret = vault.find(id);
  if (secret === undefined) throw NOT_FOUND();
  return secret;
}

function getSecretValue(vault: SecretVault, input: Record<string, unknown>): unknown {
  const secret = secretOf(vault, input);
  const { VersionId: versionId, VersionStage: stage } = input;
  if (versionId !== undefined && versionId !== secret.versionId) {
    throw new ServiceError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for VersionId: ${String(versionId)}`,
    );
  }
  if (stage !== undefined && stage !== CURRENT) {
    throw new ServiceError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for staging label: ${String(stage)}`,
    );
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: secret.versionId,
    SecretString: secret.secretString,
    VersionStages: [CURRENT],
    CreatedDate: seconds(secret.createdAt),
  };
}

function describeSecret(vault: SecretVault, input: Record<string, unknown>): unknown {
  const secret = secretOf(vault, input);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description === undefined ? {} : { Description: secret.description }),
    CreatedDate: seconds(secret.createdAt),
    LastChangedDate: seconds(secret.createdAt),
    VersionIdsToStages: { [secret.versionId]: [CURRENT] },
    Tags: [],
  };
}

const OPERATIONS: Readonly<Record<string, (vault: SecretVault, input: Record<string, unknown>) => unknown>> =
  { GetSecretValue: getSecretValue, DescribeSecret: describeSecret };

/** The Secrets Manager service over `vault`, for `RunningServices.register`. */
export function secretsManagerService(vault: SecretVault): ServiceHandler {
  return {
    name: 'Secrets Manager',
    matches: (request) => String(request.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX),
    handle: async (request) => {
      const operation = String(request.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      try {
        const run = OPERATIONS[operation];
        if (run === undefined || !Object.hasOwn(OPERATIONS, operation)) {
          throw new ServiceError(
            'UnknownOperationException',
            `the local runtime emulates Secrets Manager ${Object.keys(OPERATIONS).join(' and ')} only, not ${operation}`,
          );
        }
        return reply(200, run(vault, parseInput(request)));
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        return reply(error.status, { __type: error.type, Message: error.message });
      }
    },
  };
}
