/**
 * The Secrets Manager client, created once per container at module load and reused by every invocation.
 * Locally `AWS_ENDPOINT_URL_SECRETS_MANAGER` points it at the offline runtime's emulation; only the authorizer
 * imports it.
 *
 * @module
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The container's Secrets Manager client (region and credentials from the environment Lambda sets). */
export const secretsManagerClient: SecretsManagerClient = new SecretsManagerClient({});
