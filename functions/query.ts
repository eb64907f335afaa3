import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { corsOriginsFromEnv, makeLogger, makeQueryHandler, metricContextFromEnv, requireEnv } from '@flash/app';
import { dynamoStore } from '@flash/store';

export const handler = makeQueryHandler({
  store: dynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  logger: makeLogger('query'),
  corsOrigins: corsOriginsFromEnv(),
});
