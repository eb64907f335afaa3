import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAggregateHandler, makeLogger, metricContextFromEnv, requireEnv } from '@flash/app';
import { DynamoStore } from '@flash/store';

export const handler = makeAggregateHandler({
  store: new DynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  logger: makeLogger('aggregate'),
});
