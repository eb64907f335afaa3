import { cachedSecretString, makeAuthorizer, makeLogger, requireEnv } from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

const logger = makeLogger('authorizer');
// Read again every SECRET_MAX_AGE_MS: a new token put in the secret is accepted (and the old one refused) from then.
const apiToken = cachedSecretString(requireEnv('API_TOKEN_SECRET_ARN'), { logger });
const readSecret = process.env.READ_API_TOKEN_SECRET_ARN;
const readApiToken = readSecret ? cachedSecretString(readSecret, { logger }) : undefined;

export const handler = makeAuthorizer({
  // A blank secret reads as no token, and an empty token allows nobody.
  apiToken: async () => (await apiToken()) ?? '',
  readApiToken,
  // Personal tokens (stored hashed) and their users.
  documents: dynamoStore(dynamoDb(), requireEnv('TABLE_NAME')),
  logger,
});
