import type { MetricContext } from '../context.js';
import type { Month } from '../period.js';
import type { Values } from '../values.js';
import { npsFigure, npsKey } from './nps.js';

/** An aggregate as read back: its summed values and when a commit last changed it. */
export interface AggregateView {
  values: Values;
  updatedAt?: string | undefined;
}

/** The aggregate keys `GET /v1/metrics` needs for a period: all read in one request. */
export const metricsAggregateKeys = (period: Month): string[] => [npsKey(period)];

/** The `GET /v1/metrics` answer for a period, from the aggregates read for `metricsAggregateKeys`. */
export const metricsReport = (
  period: Month,
  aggregates: ReadonlyMap<string, AggregateView>,
  ctx: MetricContext,
  asOf: Date,
) => {
  const nps = aggregates.get(npsKey(period));
  return {
    period,
    timezone: ctx.timeZone,
    currency: ctx.baseCurrency,
    asOf: asOf.toISOString(),
    nps: { ...npsFigure(nps?.values), updatedAt: nps?.updatedAt ?? null },
  };
};
