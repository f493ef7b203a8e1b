/**
 * The stand-ins the offline runtime uses for what only AWS has, defined once for every part of it (assembly,
 * gateway, Lambda pool, DynamoDB engines).
 *
 * @module
 */

/** The account id in every locally built ARN and behind `AWS::AccountId`: there is no real account offline. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * Dummy credentials: what the functions find in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, and what the
 * runtime's own SDK clients sign with. The local services accept any signature, but the SDK refuses to send
 * a request it cannot sign. Not frozen: the SDK tags the credentials object it is given (`$source`).
 */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'LOCALACCESSKEYID',
  secretAccessKey: 'local-secret-access-key',
} as const;
