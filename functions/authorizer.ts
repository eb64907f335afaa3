import { cachedSecretString, makeAuthorizer, makeLogger, requireEnv } from '@flash/app';

export const handler = makeAuthorizer({
  apiToken: cachedSecretString(requireEnv('API_TOKEN_SECRET_ARN')),
  logger: makeLogger('authorizer'),
});
