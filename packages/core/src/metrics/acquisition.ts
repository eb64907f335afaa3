import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import { type Month, monthOf } from '../period.js';
import type { EntityState } from '../state.js';
import { addValues, type Contribution, type Values } from '../values.js';
import { sourceConversion } from './coaching.js';
import { type AggregateView, latestUpdate } from './figures.js';
import { byCurrency, byLabel, currencyField, keys } from './keys.js';
import { type CustomerLabels, rollupLabels } from './segments.js';

/**
 * The cost of acquiring a customer (issue 17, docs/metrics.md "Acquisition").
 *
 * Spend counts in the month of its date, in total and under its channel. A customer is new in the month of its
 * first sale: its first won deal (by close date) or first issued invoice (by invoice date), whichever is
 * earlier. A remembered minimum could not survive a delete (the first invoice deleted, the second becomes the
 * first) nor disorder, so every won deal and issued invoice adds `sold:YYYY-MM` to its customer's rollup, and
 * the rollup derives the first month from those counters: deleting the first sale moves the customer's month,
 * whatever order the events came in. The rollup keeps one counter per month with a sale, drops the months
 * that return to zero, and so grows by at most twelve small fields a year of history.
 *
 * CAC of a month = spend ÷ new customers, per channel the channel's spend ÷ the new customers whose customer
 * `channel` is that channel. Money is never converted: each currency's spend gives its own part of the CAC.
 */

/** Counter of a customer's sales (won deals and issued invoices) in a month, on its rollup. */
export const soldField = (month: Month) => `sold:${month}`;
const SOLD_FIELD = /^sold:(\d{4}-\d{2})$/;

/** The month of a customer's first sale, from its rollup's counters; undefined before any. */
export const firstSaleMonth = (values: Values): Month | undefined => {
  let first: Month | undefined;
  for (const [field, count] of Object.entries(values)) {
    const month = SOLD_FIELD.exec(field)?.[1];
    if (month && count > 0 && (first === undefined || month < first)) first = month;
  }
  return first;
};

/**
 * The channel spend counts under: its `channel`; a spend that names only a `campaign` counts under the
 * campaign's name, so a company that records each customer's campaign as its `channel` gets CAC per campaign.
 */
export const spendChannel = (data: { channel: string | null; campaign: string | null }): string | null =>
  data.channel ?? data.campaign;

export const spendContributions = (state: EntityState<'spend'>, ctx: MetricContext): Contribution[] => {
  const { date, amount, currency } = state.data;
  const month = monthOf(date, ctx.timeZone);
  const spent = { [currencyField('spend', currency)]: amount };
  return [
    { key: keys.acquisition(month), values: spent },
    { key: keys.acquisitionLabel(month, 'channel', spendChannel(state.data)), values: spent },
  ];
};

/** Customer rollup → one new customer in the month of its first sale, under its channel and segment. */
export const newCustomerContributions = (values: Values): Contribution[] => {
  const month = firstSaleMonth(values);
  if (month === undefined || (values.internal ?? 0) > 0) return [];
  const labels = rollupLabels(values);
  const one = { newCustomers: 1 };
  return [
    { key: keys.acquisition(month), values: one },
    { key: keys.acquisitionLabel(month, 'channel', labels.channel ?? null), values: one },
    { key: keys.acquisitionLabel(month, 'segment', labels.segment ?? null), values: one },
  ];
};

/**
 * Spend, new customers and CAC from summed values (a month's, or a channel's), in the base currency with every
 * other currency's spend and CAC part beside it. CAC is null without new customers.
 */
export const cacFigure = (values: Values, baseCurrency: string) => {
  const spend = byCurrency(values, 'spend');
  const newCustomers = values.newCustomers ?? 0;
  const cac = (currency: string) =>
    newCustomers === 0 ? null : toMajor(Math.round((spend[currency] ?? 0) / newCustomers), currency);
  const otherCurrencies: Record<string, { spend: number; cac: number | null }> = {};
  for (const currency of Object.keys(spend))
    if (currency !== baseCurrency)
      otherCurrencies[currency] = { spend: toMajor(spend[currency] ?? 0, currency), cac: cac(currency) };
  return {
    newCustomers,
    spend: toMajor(spend[baseCurrency] ?? 0, baseCurrency),
    cac: cac(baseCurrency),
    otherCurrencies,
  };
};

/** The acquisition headline of some months summed: `GET /v1/metrics`' `acquisition`. */
export const acquisitionHeadline = (view: AggregateView, baseCurrency: string) => ({
  ...cacFigure(view.values, baseCurrency),
  updatedAt: latestUpdate([view]),
});

/** What `GET /v1/acquisition` is computed from, all of one month. */
export interface AcquisitionInputs {
  /**
   * The month's `acquisition-labels#…` items (channel and segment), member → values. Every spend and every new
   * customer is under exactly one channel (`null` included), so the channels sum to the month: the totals are
   * taken from them, and one answer never mixes two reads of the same figure.
   */
  labels: Iterable<readonly [string, Values]>;
  /** The month's `pipeline-labels#…` items (deal sources), member → values. */
  flowLabels: Iterable<readonly [string, Values]>;
  /** What each customer contributed in the month (`bycust#…`), by customer key part. */
  perCustomer: ReadonlyMap<string, Values>;
  customerLabels: CustomerLabels;
}

const labelOf = (label: string) => (label === '' ? null : label);

/**
 * Average basket per customer of each segment: the month's billing of the segment's customers ÷ how many of
 * them have an issued invoice in the month, per currency (a customer billed in two currencies counts in
 * both). Invoices without a customer belong to no customer's basket.
 */
const segmentBaskets = (perCustomer: ReadonlyMap<string, Values>, customerLabels: CustomerLabels) => {
  const out = new Map<string, { billing: Values; billed: Values }>();
  for (const [customer, values] of perCustomer) {
    const segment = customerLabels.get(customer)?.segment ?? '';
    const basket = out.get(segment) ?? { billing: {}, billed: {} };
    for (const [currency, amount] of Object.entries(byCurrency(values, 'segment:billing')))
      basket.billing[currency] = (basket.billing[currency] ?? 0) + amount;
    for (const [currency, invoices] of Object.entries(byCurrency(values, 'segment:invoices')))
      if (invoices > 0) basket.billed[currency] = (basket.billed[currency] ?? 0) + 1;
    out.set(segment, basket);
  }
  return out;
};

const basketFigure = (billing: number, billed: number, currency: string) => ({
  billing: toMajor(billing, currency),
  billedCustomers: billed,
  basketPerCustomer: billed === 0 ? null : toMajor(Math.round(billing / billed), currency),
});

/**
 * `GET /v1/acquisition`: a month's spend, new customers and CAC, in total and per channel; the opportunities
 * created and won per deal source; and per customer segment the new customers and the average basket.
 */
export const acquisitionFigures = (inputs: AcquisitionInputs, ctx: MetricContext) => {
  const base = ctx.baseCurrency;
  const labels = [...inputs.labels];
  const channels = byLabel(labels, 'channel');
  const newBySegment = byLabel(labels, 'segment');
  const baskets = segmentBaskets(inputs.perCustomer, inputs.customerLabels);
  return {
    ...cacFigure([...channels.values()].reduce(addValues, {}), base),
    byChannel: [...channels]
      .map(([channel, values]) => ({ channel: labelOf(channel), ...cacFigure(values, base) }))
      .sort((a, b) => b.newCustomers - a.newCustomers || b.spend - a.spend),
    bySource: sourceConversion(inputs.flowLabels),
    bySegment: [...new Set([...newBySegment.keys(), ...baskets.keys()])]
      .map((segment) => {
        const { billing = {}, billed = {} } = baskets.get(segment) ?? {};
        const otherCurrencies: Record<string, ReturnType<typeof basketFigure>> = {};
        for (const currency of new Set([...Object.keys(billing), ...Object.keys(billed)]))
          if (currency !== base)
            otherCurrencies[currency] = basketFigure(billing[currency] ?? 0, billed[currency] ?? 0, currency);
        return {
          segment: labelOf(segment),
          newCustomers: newBySegment.get(segment)?.newCustomers ?? 0,
          ...basketFigure(billing[base] ?? 0, billed[base] ?? 0, base),
          otherCurrencies,
        };
      })
      .sort((a, b) => b.billing - a.billing || b.newCustomers - a.newCustomers),
  };
};
