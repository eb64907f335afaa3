import { makeConfigHandler, makeLogger, requireEnv, settingsFromEnv } from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

/** PUT /v1/profiles/{id} and PUT /v1/users/{id}: the only writes the API takes (behind the authorizer). */
export const handler = makeConfigHandler({
  store: dynamoStore(dynamoDb(), requireEnv('TABLE_NAME')),
  logger: makeLogger('config'),
  // The function answers OPTIONS on its paths itself (no authorizer there), as query does on /v1/{proxy+}.
  corsOrigins: settingsFromEnv().corsOrigins,
});
