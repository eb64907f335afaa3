import { makeLogger, metricContextFromEnv, rebuildAggregates, requireEnv } from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { metricModel } from '@flash/core';
import { dynamoStore } from '@flash/store';

const store = dynamoStore(dynamoDb(), requireEnv('TABLE_NAME'));
const logger = makeLogger('rebuild');

/** Invoked by hand: `{"mode": "verify"}` reports drift, `{"mode": "rebuild"}` repairs it (pause the aggregator first). */
export const handler = async (event: { mode?: 'verify' | 'rebuild' }) => {
  const report = await rebuildAggregates({
    store,
    model: metricModel,
    ctx: metricContextFromEnv(),
    now: () => new Date(),
    mode: event.mode === 'rebuild' ? 'rebuild' : 'verify',
  });
  logger.info('rebuild finished', {
    mode: report.mode,
    entities: report.entities,
    drift: report.drift.length,
    repaired: report.repaired,
  });
  return report;
};
