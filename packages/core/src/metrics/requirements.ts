import type { MetricContext } from '../context.js';
import { InvalidValueError } from '../errors.js';
import { toMajor } from '../money.js';
import { addMonths, type Month } from '../period.js';
import { type Aggregates, sumViews } from './figures.js';
import { byCurrency, keys } from './keys.js';
import { flowFigures, flowRatios } from './pipeline.js';

/** Days in an average Gregorian month: converts a lead time in days into months of pipeline. */
export const DAYS_PER_MONTH = 30.4375;

export interface RequirementsInput {
  period: Month;
  budget: number;
  owner?: string | null | undefined;
  months: number;
}

/** The N full months before the period, oldest first. */
export const lookbackMonths = (period: Month, months: number): Month[] =>
  Array.from({ length: months }, (_, i) => addMonths(period, i - months));

export const requirementsAggregateKeys = ({ period, owner, months }: RequirementsInput): string[] => [
  ...lookbackMonths(period, months).map((m) => keys.pipeline(m, owner)),
  keys.openPipeline(owner),
];

/**
 * What the pipeline must hold to reach a monthly budget, from the hit rate, average deal size and lead time
 * of the N full months before the period, each beside the actual figure.
 */
export const pipelineRequirements = (input: RequirementsInput, aggregates: Aggregates, ctx: MetricContext) => {
  if (!(input.budget > 0)) throw new InvalidValueError('budget must be a positive number');
  const base = ctx.baseCurrency;
  const lookback = lookbackMonths(input.period, input.months);
  const flow = sumViews(lookback.map((m) => aggregates.get(keys.pipeline(m, input.owner))));
  const figures = flowFigures(flow, base);
  const exact = flowRatios(flow, base);
  const open = aggregates.get(keys.openPipeline(input.owner))?.values ?? {};
  const requiredNewValuePerMonth = exact.hitRate ? input.budget / exact.hitRate : null;
  const requiredNewCountPerMonth =
    requiredNewValuePerMonth !== null && exact.avgDealSize ? requiredNewValuePerMonth / exact.avgDealSize : null;
  const requiredPipelineValue =
    requiredNewValuePerMonth !== null && exact.leadTimeDays !== null
      ? (requiredNewValuePerMonth * exact.leadTimeDays) / DAYS_PER_MONTH
      : null;
  const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    period: input.period,
    owner: input.owner ?? null,
    budget: input.budget,
    currency: base,
    basedOn: { from: lookback[0], to: lookback[lookback.length - 1], months: input.months },
    hitRate: figures.hitRate,
    avgDealSize: figures.avgDealSize,
    leadTimeDays: figures.leadTimeDays,
    requiredNewValuePerMonth: round2(requiredNewValuePerMonth),
    actualNewValuePerMonth: round2(toMajor(byCurrency(flow, 'createdValue')[base] ?? 0, base) / input.months),
    requiredNewCountPerMonth: round2(requiredNewCountPerMonth),
    actualNewCountPerMonth: round2(figures.created / input.months),
    requiredPipelineValue: round2(requiredPipelineValue),
    actualPipelineValue: toMajor(byCurrency(open, 'openValue')[base] ?? 0, base),
  };
};
