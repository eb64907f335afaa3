import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAggregateHandler, makeLogger, metricContextFromEnv, requireEnv, sqsDeadLetters } from '@flash/app';
import { DynamoStore } from '@flash/store';

export const handler = makeAggregateHandler({
  store: new DynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  logger: makeLogger('aggregate'),
  // The queue's DLQ: poison records are parked there at once, with their reason as message attributes.
  deadLetters: process.env.DEAD_LETTER_QUEUE_URL ? sqsDeadLetters(process.env.DEAD_LETTER_QUEUE_URL) : undefined,
});
