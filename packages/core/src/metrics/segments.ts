import { dealMoney, toMajor } from '../money.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { activityCounts } from './activities.js';
import { byCurrency, byLabel, currencyField, keys, labelMember, parseLabelMember } from './keys.js';
import { npsFigure } from './nps.js';

/**
 * Breakdowns of NPS, billing and won value by customer segment, sales channel and owner.
 *
 * A customer's labels can arrive after (or change after) its invoices and answers, and one label change
 * would otherwise have to move every month the customer ever contributed to. So what a customer contributes
 * is kept per month and customer (`bycust#YYYY-MM|C1`), its labels once (on its rollup `@customer#C1`),
 * and the two are joined when a breakdown is read: exact whatever the order, at the price of reading one
 * small item per customer active in the month. Entities that carry a label themselves (a survey answer with
 * its own segment, a deal's owner) contribute to their label's item of the month (`segments#YYYY-MM|…`).
 * Every label is an item of its own, so however many labels a month sees, no item grows past its limit.
 */
export const DIMENSIONS = ['segment', 'channel', 'owner'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

type OwnLabels = Partial<Record<Dimension, string | null>>;

/** Splits a contribution between the dimensions the entity labels itself and those its customer labels. */
const split = (month: string, customerId: string | null, own: OwnLabels, metrics: Values): Contribution[] => {
  const out: Contribution[] = [];
  const viaCustomer: Values = {};
  for (const dimension of DIMENSIONS) {
    const label = own[dimension];
    if (label || !customerId) out.push({ key: keys.segmentLabel(month, dimension, label ?? null), values: metrics });
    else for (const [metric, amount] of Object.entries(metrics)) viaCustomer[`${dimension}:${metric}`] = amount;
  }
  if (customerId) out.push({ key: keys.byCustomer(month, customerId), values: viaCustomer });
  return out;
};

export const surveySegmentContributions = (
  s: EntityState<'survey_response'>,
  month: string,
  bucket: string,
): Contribution[] =>
  split(month, s.data.customerId, { segment: s.data.segment, channel: s.data.channel }, { responses: 1, [bucket]: 1 });

export const billingSegmentContributions = (
  month: string,
  customerId: string | null,
  currency: string,
  total: number,
  invoices: number,
) =>
  split(
    month,
    customerId,
    {},
    {
      [currencyField('billing', currency)]: total,
      ...(invoices ? { [currencyField('invoices', currency)]: invoices } : {}),
    },
  );

export const wonSegmentContributions = (s: EntityState<'deal'>, month: string): Contribution[] => {
  const deal = dealMoney(s);
  return split(
    month,
    s.data.customerId,
    { owner: s.data.ownerId },
    { won: 1, ...(deal ? { [currencyField('wonValue', deal.currency)]: deal.minor } : {}) },
  );
};

/**
 * An activity counts as `meetingPlanned`, `callDone`, … in the month it is due (planned) or was done, under
 * its owner and its customer's segment and channel: the activity reports and the commercial effort per
 * segment beside the value won there.
 */
export const activitySegmentContributions = (
  s: EntityState<'activity'>,
  month: string,
  field: string,
): Contribution[] => split(month, s.data.customerId, { owner: s.data.ownerId }, { [field]: 1 });

/**
 * A customer's labels, as `segment=Gold` counters on its rollup (`@customer#C1`): a rollup drops the fields
 * that return to zero, so it holds the current labels only, however often they change.
 */
export const customerLabelValues = (s: EntityState<'customer'>): Values => {
  const values: Values = {};
  for (const [dimension, label] of [
    ['segment', s.data.segment],
    ['channel', s.data.channel],
    ['owner', s.data.ownerId],
  ] as const) {
    if (label) values[labelMember(dimension, label)] = 1;
  }
  return values;
};

/** Each customer's labels (the key part of the customer's id → dimension → label). */
export type CustomerLabels = ReadonlyMap<string, Partial<Record<Dimension, string>>>;

/** A customer's labels from its rollup's values. */
export const rollupLabels = (values: Values): Partial<Record<Dimension, string>> => {
  const labels: Partial<Record<Dimension, string>> = {};
  for (const [field, count] of Object.entries(values)) {
    const parsed = parseLabelMember(field);
    if (count > 0 && parsed && (DIMENSIONS as readonly string[]).includes(parsed.dimension))
      labels[parsed.dimension as Dimension] = parsed.label;
  }
  return labels;
};

/** The labels on customer rollups, as read by their key part (`listRollups('@customer#')`). */
export const customerLabelsOf = (
  rollups: Iterable<readonly [string, Values]>,
): Map<string, Partial<Record<Dimension, string>>> =>
  new Map([...rollups].map(([customer, values]) => [customer, rollupLabels(values)]));

/**
 * The breakdown of some months by one dimension: the label items' direct contributions plus each customer's
 * contributions under its label. Labels are '' for "none"; the values of all labels sum to the totals.
 */
export const segmentBreakdown = (
  dimension: Dimension,
  direct: Iterable<readonly [string, Values]>,
  perCustomer: ReadonlyMap<string, Values>,
  labels: CustomerLabels,
): Map<string, Values> => {
  const out = byLabel(direct, dimension);
  const prefix = `${dimension}:`;
  for (const [customer, values] of perCustomer) {
    const label = labels.get(customer)?.[dimension] ?? '';
    const target = out.get(label) ?? {};
    for (const [field, amount] of Object.entries(values)) {
      if (field.startsWith(prefix))
        target[field.slice(prefix.length)] = (target[field.slice(prefix.length)] ?? 0) + amount;
    }
    out.set(label, target);
  }
  return out;
};

/** One label's figures in a breakdown, money in major units of the base currency (others beside it). */
export const segmentFigure = (label: string, values: Values, baseCurrency: string) => {
  const billing = byCurrency(values, 'billing');
  const invoices = byCurrency(values, 'invoices');
  const wonValue = byCurrency(values, 'wonValue');
  const base = baseCurrency;
  const otherCurrencies: Record<string, { billing: number; wonValue: number }> = {};
  for (const currency of new Set([...Object.keys(billing), ...Object.keys(wonValue)])) {
    if (currency !== base) {
      otherCurrencies[currency] = {
        billing: toMajor(billing[currency] ?? 0, currency),
        wonValue: toMajor(wonValue[currency] ?? 0, currency),
      };
    }
  }
  return {
    label: label === '' ? null : label,
    nps: npsFigure(values),
    billing: toMajor(billing[base] ?? 0, base),
    invoices: invoices[base] ?? 0,
    // Average basket: billing per invoice (credit notes lower the billing, not the invoice count).
    avgBasket: invoices[base] ? toMajor(Math.round((billing[base] ?? 0) / invoices[base]), base) : null,
    won: values.won ?? 0,
    wonValue: toMajor(wonValue[base] ?? 0, base),
    // The commercial effort beside the result: activities due (planned) and done in the month, per kind.
    activities: activityCounts(values),
    otherCurrencies,
  };
};
