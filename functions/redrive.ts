import { makeLogger, requireEnv, startRedrive } from '@flash/app';

const logger = makeLogger('redrive');

/**
 * Invoked by hand once the cause of the dead letters is fixed: moves every message of the aggregator's DLQ
 * back onto its queue (SQS StartMessageMoveTask). Applying an event twice changes nothing, so a redrive is
 * always safe. `{"maxPerSecond": 50}` paces it.
 */
export const handler = async (event: { maxPerSecond?: number } = {}) => {
  const task = await startRedrive({
    deadLetterQueueArn: requireEnv('DEAD_LETTER_QUEUE_ARN'),
    queueArn: requireEnv('QUEUE_ARN'),
    maxPerSecond: event.maxPerSecond,
  });
  logger.info('redrive started', task);
  return task;
};
