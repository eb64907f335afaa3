import type { MetricContext } from '../context.js';
import { addMonths, type Month, yearOfMonth } from '../period.js';
import { billingFigure } from './billing.js';
import { customersFigure } from './customers.js';
import { type Aggregates, latestUpdate } from './figures.js';
import { keys } from './keys.js';
import { marginFigure } from './margin.js';
import { npsFigure } from './nps.js';
import { pipelineFigure } from './pipeline.js';

/**
 * The aggregate keys `GET /v1/metrics` needs for a period: all read in one request. Each figure is computed
 * by its own metric module, beside the contributions it reads.
 */
export const metricsAggregateKeys = (period: Month): string[] => [
  keys.nps(period),
  keys.billing(period),
  keys.billing(addMonths(period, -1)),
  keys.margin(yearOfMonth(period)),
  keys.customers,
  keys.pipeline(period),
  keys.openPipeline(),
];

/** The `GET /v1/metrics` answer for a period, from the aggregates read for `metricsAggregateKeys`. */
export const metricsReport = (period: Month, aggregates: Aggregates, ctx: MetricContext, asOf: Date) => {
  const nps = aggregates.get(keys.nps(period));
  return {
    period,
    timezone: ctx.timeZone,
    currency: ctx.baseCurrency,
    asOf: asOf.toISOString(),
    nps: { ...npsFigure(nps?.values), updatedAt: latestUpdate([nps]) },
    billing: billingFigure(period, aggregates, ctx),
    margin: marginFigure(yearOfMonth(period), aggregates, ctx),
    ...customersFigure(aggregates),
    pipeline: pipelineFigure(period, aggregates, ctx),
  };
};
