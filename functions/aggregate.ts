import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  eventBridgePublisher,
  makeAggregateHandler,
  makeLogger,
  metricContextFromEnv,
  requireEnv,
  sqsDeadLetters,
} from '@flash/app';
import { dynamoStore } from '@flash/store';

export const handler = makeAggregateHandler({
  store: dynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  logger: makeLogger('aggregate'),
  // The queue's DLQ: poison records are parked there at once, with their reason as message attributes.
  deadLetters: sqsDeadLetters(requireEnv('DEAD_LETTER_QUEUE_URL')),
  // Detractor alerts are announced here (`Alert Raised`) once their state is applied.
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
});
