import { makeLogger, metricContextFromEnv, requireEnv, takeSnapshot } from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

const store = dynamoStore(dynamoDb(), requireEnv('TABLE_NAME'));
const ctx = metricContextFromEnv();
const logger = makeLogger('snapshot');

/** Invoked on a schedule (every SNAPSHOT_INTERVAL_MINUTES; docs/deploy.md): writes today's snapshot of the "now" figures. */
export const handler = async () => {
  const snapshot = await takeSnapshot({ store, ctx, now: () => new Date() });
  logger.info('snapshot taken', snapshot);
  return snapshot;
};
