import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import { type Month, monthOf, monthRange, type Year } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { type Aggregates, latestUpdate, others, pct, perCurrency, sumViews } from './figures.js';
import { byCurrency, currencyField, keys, labelMember, parseLabelMember } from './keys.js';

/**
 * Costs count toward margin unless their project is internal or belongs to an internal customer, in
 * whatever order cost, project and customer events arrive. So a cost never contributes to the margin
 * directly: it adds `cost:YYYY-MM:CUR` to its project's rollup, the project passes its costs on to its
 * customer's rollup unless it is internal, and the customer passes them to the margin unless it is internal.
 * A project or customer flag flipping therefore moves all of their costs at once.
 *
 * Costs are kept per month (a rollup holds one field per month and currency it has costs in), so the margin
 * is kept per month (`margin|2026-11`) and a year's margin is the sum of its months: the series gives each
 * month's margin and the year's margin to that month. A table written when costs were kept per year
 * (`cost:YYYY:CUR`, `margin|2026`) needs `npm run rebuild` (docs/architecture.md, "Series").
 */
const monthlyCostField = /^cost:(\d{4}-\d{2}):([A-Z]{3})$/;

export const costFields = (values: Values): Values => {
  const out: Values = {};
  for (const [field, amount] of Object.entries(values)) if (monthlyCostField.test(field)) out[field] = amount;
  return out;
};

/** `cost:YYYY-MM:CUR` fields as margin contributions. */
export const costsToMargin = (values: Values): Contribution[] =>
  Object.entries(values).flatMap(([field, amount]) => {
    const match = monthlyCostField.exec(field);
    return match
      ? [{ key: keys.margin(match[1] as Month), values: { [currencyField('cost', match[2] as string)]: amount } }]
      : [];
  });

export const costContributions = (state: EntityState<'cost'>, ctx: MetricContext): Contribution[] => {
  const { projectId, date, amount, currency } = state.data;
  const field = `cost:${monthOf(date, ctx.timeZone)}:${currency}`;
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

/** Billing minus the costs that count over some months, per currency, and the newest change among them. */
const marginOver = (months: readonly Month[], aggregates: Aggregates) => {
  const views = months.map((m) => aggregates.get(keys.margin(m)));
  const values = sumViews(views);
  const billing = byCurrency(values, 'billing');
  const cost = byCurrency(values, 'cost');
  const margin: Record<string, number> = {};
  for (const c of new Set([...Object.keys(billing), ...Object.keys(cost)]))
    margin[c] = (billing[c] ?? 0) - (cost[c] ?? 0);
  return { billing, cost, margin, updatedAt: latestUpdate(views) };
};

/** The margin over some months in the base currency (major units), and its share of billing. */
const inBase = ({ billing, cost, margin }: ReturnType<typeof marginOver>, base: string) => ({
  billing: toMajor(billing[base] ?? 0, base),
  cost: toMajor(cost[base] ?? 0, base),
  margin: toMajor(margin[base] ?? 0, base),
  marginPct: pct(margin[base] ?? 0, billing[base] ?? 0),
});

/**
 * Margin of a year (the contract's figure): billing minus the costs that count, in the base currency, other
 * currencies beside it. For a month, also that month's own margin and the year's up to its end, which a
 * cumulative chart draws.
 */
export const marginFigure = (year: Year, aggregates: Aggregates, ctx: MetricContext, month?: Month) => {
  const base = ctx.baseCurrency;
  const whole = marginOver(monthRange(`${year}-01`, `${year}-12`), aggregates);
  const { billing, cost, margin } = whole;
  return {
    year: Number(year),
    ...inBase(whole, base),
    otherCurrencies: others(perCurrency({ billing, cost, margin }), base),
    thisMonth: month ? inBase(marginOver([month], aggregates), base) : null,
    yearToMonth: month ? inBase(marginOver(monthRange(`${year}-01`, month), aggregates), base) : null,
    updatedAt: whole.updatedAt,
  };
};
