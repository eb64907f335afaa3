import {
  eventBridgePublisher,
  makeAggregateHandler,
  makeLogger,
  metricContextFromEnv,
  requireEnv,
  sqsDeadLetters,
} from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

export const handler = makeAggregateHandler({
  store: dynamoStore(dynamoDb(), requireEnv('TABLE_NAME')),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  logger: makeLogger('aggregate'),
  // The queue's DLQ: poison records are parked there at once, with their reason as message attributes.
  deadLetters: sqsDeadLetters(requireEnv('DEAD_LETTER_QUEUE_URL')),
  // Detractor alerts are announced here (`Alert Raised`) once their state is applied.
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
});
