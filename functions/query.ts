import { makeLogger, makeQueryHandler, requireEnv, settingsFromEnv } from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

const { ctx, corsOrigins } = settingsFromEnv();

export const handler = makeQueryHandler({
  store: dynamoStore(dynamoDb(), requireEnv('TABLE_NAME')),
  ctx,
  now: () => new Date(),
  logger: makeLogger('query'),
  corsOrigins,
});
