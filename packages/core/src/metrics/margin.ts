import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import { monthOf, yearOfMonth } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { type Aggregates, latestUpdate, others, pct, perCurrency } from './figures.js';
import { byCurrency, currencyField, keys, labelMember, parseLabelMember } from './keys.js';

/**
 * Costs count toward margin unless their project is internal or belongs to an internal customer, in
 * whatever order cost, project and customer events arrive. So a cost never contributes to the margin
 * directly: it adds `cost:YYYY:CUR` to its project's rollup, the project passes its costs on to its
 * customer's rollup unless it is internal, and the customer passes them to the margin unless it is internal.
 * A project or customer flag flipping therefore moves all of their costs at once.
 */
const yearlyCostField = /^cost:(\d{4}):([A-Z]{3})$/;

export const costFields = (values: Values): Values => {
  const out: Values = {};
  for (const [field, amount] of Object.entries(values)) if (yearlyCostField.test(field)) out[field] = amount;
  return out;
};

/** `cost:YYYY:CUR` fields as margin contributions. */
export const costsToMargin = (values: Values): Contribution[] =>
  Object.entries(values).flatMap(([field, amount]) => {
    const match = yearlyCostField.exec(field);
    return match
      ? [{ key: keys.margin(match[1] as string), values: { [currencyField('cost', match[2] as string)]: amount } }]
      : [];
  });

export const costContributions = (state: EntityState<'cost'>, ctx: MetricContext): Contribution[] => {
  const { projectId, date, amount, currency } = state.data;
  const field = `cost:${yearOfMonth(monthOf(date, ctx.timeZone))}:${currency}`;
  // A cost booked on no project cannot be internal: it goes straight to the margin.
  if (!projectId) return costsToMargin({ [field]: amount });
  return [{ key: keys.projectRollup(projectId), values: { [field]: amount } }];
};

/** A project's own facts as counters on its rollup; a `customer=ID` field names the customer it belongs to. */
export const projectContributions = (state: EntityState<'project'>): Contribution[] => {
  const { customerId, status, internal } = state.data;
  const values: Values = { exists: 1, open: status === 'open' ? 1 : 0, internal: internal ? 1 : 0 };
  if (customerId) values[labelMember('customer', customerId)] = 1;
  return [{ key: keys.projectRollup(state.id), values }];
};

/** The customer a rollup's `customer=ID` field names (projects, invoices), if any. */
export const customerOfRollup = (values: Values): string | undefined => {
  for (const [field, count] of Object.entries(values)) {
    const parsed = parseLabelMember(field);
    if (parsed?.dimension === 'customer' && count > 0) return parsed.label;
  }
  return undefined;
};

/** Project rollup → its customer's rollup (project counts, and costs unless internal), or the margin. */
export const deriveProject = (_key: string, values: Values): Contribution[] => {
  const internal = (values.internal ?? 0) > 0;
  const costs = internal ? {} : costFields(values);
  const customer = customerOfRollup(values);
  if (!customer) return costsToMargin(costs);
  return [
    {
      key: keys.customerRollup(customer),
      values: { projects: values.exists ?? 0, openProjects: values.open ?? 0, ...costs },
    },
  ];
};

/** Margin of a year: billing minus the costs that count, in the base currency, other currencies beside it. */
export const marginFigure = (year: string, aggregates: Aggregates, ctx: MetricContext) => {
  const view = aggregates.get(keys.margin(year));
  const billing = byCurrency(view?.values ?? {}, 'billing');
  const cost = byCurrency(view?.values ?? {}, 'cost');
  const margin: Record<string, number> = {};
  for (const c of new Set([...Object.keys(billing), ...Object.keys(cost)]))
    margin[c] = (billing[c] ?? 0) - (cost[c] ?? 0);
  const base = ctx.baseCurrency;
  return {
    year: Number(year),
    billing: toMajor(billing[base] ?? 0, base),
    cost: toMajor(cost[base] ?? 0, base),
    margin: toMajor(margin[base] ?? 0, base),
    marginPct: pct(margin[base] ?? 0, billing[base] ?? 0),
    otherCurrencies: others(perCurrency({ billing, cost, margin }), base),
    updatedAt: latestUpdate([view]),
  };
};
