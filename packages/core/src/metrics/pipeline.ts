import type { MetricContext } from '../context.js';
import { dealMoney, toMajor } from '../money.js';
import { dayOf, type Month, monthOfDay } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Listing, Values } from '../values.js';
import { soldField } from './acquisition.js';
import { type Aggregates, type AggregateView, latestUpdate, others, perCurrency, round1, round3 } from './figures.js';
import { byCurrency, currencyField, keys, lists } from './keys.js';
import { wonSegmentContributions } from './segments.js';

/**
 * Pipeline of a month: deals created in it, deals won or lost with a close date in it, the value won and the
 * lead time of won deals; open deals as of now. Each flow is kept in total and per owner, with the coaching
 * detail: created and won per deal source (won counted in the month the deal was created, so conversion
 * is a cohort rate), lost per reason, open per stage. Lead time is summed in whole seconds to stay exact.
 */
export const dealContributions = (state: EntityState<'deal'>, ctx: MetricContext): Contribution[] => {
  const { status, createdAt, ownerId, customerId, source, stage, lostReason } = state.data;
  const out: Contribution[] = [];
  const deal = dealMoney(state);
  const money = (name: string): Values => (deal ? { [currencyField(name, deal.currency)]: deal.minor } : {});
  const both = (key: (owner?: string | null) => string, values: Values) => {
    out.push({ key: key(), values });
    if (ownerId) out.push({ key: key(ownerId), values });
  };

  if (customerId) {
    out.push({
      key: keys.customerRollup(customerId),
      values: { openDeals: status === 'open' ? 1 : 0, wonDeals: status === 'won' ? 1 : 0 },
    });
  }
  if (createdAt) {
    const day = dayOf(createdAt, ctx.timeZone);
    const month = monthOfDay(day);
    both((owner) => keys.pipeline(month, owner), { created: 1, ...money('createdValue') });
    out.push({ key: keys.pipelineDay(day), values: { created: 1 } });
    both((owner) => keys.pipelineLabel(month, owner, 'source', source), {
      created: 1,
      ...(status === 'won' ? { won: 1 } : {}),
    });
  }
  if (status === 'open') {
    const open = { openCount: 1, ...money('openValue') };
    both(keys.openPipeline, open);
    both((owner) => keys.openStage(owner, state.source, stage), open);
    if (customerId) out.push({ key: keys.customerFacts(customerId), values: open });
    return out;
  }
  // A closed deal without a close date closed when the change that closed it happened.
  const closedAt = state.data.closedAt ?? state.occurredAt;
  const closedOn = dayOf(closedAt, ctx.timeZone);
  const month = monthOfDay(closedOn);
  if (status === 'lost') {
    both((owner) => keys.pipeline(month, owner), { lost: 1 });
    out.push({ key: keys.pipelineDay(closedOn), values: { lost: 1 } });
    both((owner) => keys.pipelineLabel(month, owner, 'reason', lostReason), { lost: 1 });
    return out;
  }
  const won: Values = {
    won: 1,
    ...money('wonValue'),
    ...(deal ? { [currencyField('wonCount', deal.currency)]: 1 } : {}),
  };
  if (createdAt) {
    won.leadSeconds = Math.max(0, Math.round((Date.parse(closedAt) - Date.parse(createdAt)) / 1000));
    won.leadCount = 1;
  }
  both((owner) => keys.pipeline(month, owner), won);
  out.push({ key: keys.pipelineDay(closedOn), values: { won: 1, ...money('wonValue') } });
  // A won deal is a sale: the customer's first sale makes it a new customer (acquisition.ts).
  if (customerId) out.push({ key: keys.customerRollup(customerId), values: { [soldField(month)]: 1 } });
  out.push(...wonSegmentContributions(state, month));
  return out;
};

/** Sort key far in the future for open deals without an expected close date. */
export const NO_EXPECTED_CLOSE = '9999-12-31';

/**
 * Open deals are listed by expected close date, for the "past its expected close date" indicator and the
 * "planned in the next N days" KPI, which depend on today and so cannot be kept as sums.
 */
export const openDealListing = (state: EntityState<'deal'>): Listing | undefined =>
  state.data.status === 'open'
    ? {
        list: lists.openDeals,
        sort: `${(state.data.expectedCloseDate ?? NO_EXPECTED_CLOSE).slice(0, 10)}#${state.source}#${state.id}`,
      }
    : undefined;

/**
 * Hit rate, average deal size (major units) and lead time (days) from summed flow values, in the base
 * currency, unrounded: what is derived from them (the requirements) is computed from these, and only what
 * is shown is rounded.
 */
export const flowRatios = (flow: Values, base: string) => {
  const won = flow.won ?? 0;
  const lost = flow.lost ?? 0;
  const wonValue = byCurrency(flow, 'wonValue')[base] ?? 0;
  const wonCount = byCurrency(flow, 'wonCount')[base] ?? 0;
  const leadCount = flow.leadCount ?? 0;
  return {
    hitRate: won + lost === 0 ? null : won / (won + lost),
    avgDealSize: wonCount === 0 ? null : toMajor(wonValue, base) / wonCount,
    leadTimeDays: leadCount === 0 ? null : (flow.leadSeconds ?? 0) / 86_400 / leadCount,
  };
};

/** The flow figures as shown: counts, won value, and the ratios rounded. */
export const flowFigures = (flow: Values, base: string) => {
  const exact = flowRatios(flow, base);
  const wonValue = byCurrency(flow, 'wonValue')[base] ?? 0;
  const wonCount = byCurrency(flow, 'wonCount')[base] ?? 0;
  return {
    created: flow.created ?? 0,
    won: flow.won ?? 0,
    lost: flow.lost ?? 0,
    wonValue: toMajor(wonValue, base),
    hitRate: exact.hitRate === null ? null : round3(exact.hitRate),
    avgDealSize: wonCount === 0 ? null : toMajor(Math.round(wonValue / wonCount), base),
    leadTimeDays: exact.leadTimeDays === null ? null : round1(exact.leadTimeDays),
  };
};

/** Pipeline figures of a month from the stored aggregates, open deals as of now: `/v1/pipeline`. */
export const pipelineFigure = (period: Month, aggregates: Aggregates, ctx: MetricContext, owner?: string | null) =>
  pipelineBlock(aggregates.get(keys.pipeline(period, owner)), aggregates.get(keys.openPipeline(owner)), ctx);

/**
 * The pipeline figures from a flow (one month's, or several summed) and the open pipeline (live, or a
 * snapshot of it; null: unknown, so the open figures are null).
 */
export const pipelineBlock = (
  flow: AggregateView | undefined,
  open: AggregateView | null | undefined,
  ctx: MetricContext,
) => {
  const base = ctx.baseCurrency;
  const figures = flowFigures(flow?.values ?? {}, base);
  const openValues = open?.values ?? {};
  return {
    created: figures.created,
    won: figures.won,
    lost: figures.lost,
    wonValue: figures.wonValue,
    openCount: open === null ? null : (openValues.openCount ?? 0),
    openValue: open === null ? null : toMajor(byCurrency(openValues, 'openValue')[base] ?? 0, base),
    hitRate: figures.hitRate,
    avgDealSize: figures.avgDealSize,
    leadTimeDays: figures.leadTimeDays,
    otherCurrencies: others(
      perCurrency({
        wonValue: byCurrency(flow?.values ?? {}, 'wonValue'),
        openValue: byCurrency(openValues, 'openValue'),
      }),
      base,
    ),
    updatedAt: latestUpdate([flow, open ?? undefined]),
  };
};
