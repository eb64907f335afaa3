import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeLogger, makeQueryHandler, requireEnv, settingsFromEnv } from '@flash/app';
import { dynamoStore } from '@flash/store';

const { ctx, corsOrigins } = settingsFromEnv();

export const handler = makeQueryHandler({
  store: dynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  ctx,
  now: () => new Date(),
  logger: makeLogger('query'),
  corsOrigins,
});
