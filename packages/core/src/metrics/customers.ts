import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { newCustomerContributions } from './acquisition.js';
import { type AggregateView, latestUpdate } from './figures.js';
import { keys, labelMember, parseLabelMember } from './keys.js';
import { costFields, costsToMargin } from './margin.js';
import { customerLabelValues } from './segments.js';

/**
 * Active customers and prospects are facts about a customer that several entities decide together, so every
 * entity adds counters to the customer's rollup (`@customer#ID`) and the rollup decides the flags:
 * - active: not internal, with at least one open deal or open project;
 * - prospect: an open deal, and no issued invoice, no won deal, no project.
 * A customer is any id an entity refers to; it is internal only when a customer event says so.
 */
export const customerContributions = (state: EntityState<'customer'>): Contribution[] => [
  {
    key: keys.customerRollup(state.id),
    values: {
      internal: state.data.internal ? 1 : 0,
      ...customerLabelValues(state),
      ...(state.data.name ? { [labelMember(NAME, state.data.name)]: 1 } : {}),
    },
  },
];

/**
 * A customer's name is a `name=Acme` counter on its rollup, as its labels are: the rollup drops the old name's
 * field when it returns to zero, so one read of the rollups a page names gives their current names, and a
 * rebuild gives the same.
 */
const NAME = 'name';

/** The name on a customer's rollup; of two sources naming it differently, the first in order, so it is stable. */
export const customerNameOf = (values: Values): string | null => {
  let name: string | null = null;
  for (const [field, count] of Object.entries(values)) {
    const parsed = parseLabelMember(field);
    if (count > 0 && parsed?.dimension === NAME && (name === null || parsed.label < name)) name = parsed.label;
  }
  return name;
};

export const isActiveCustomer = (v: Values): boolean =>
  (v.internal ?? 0) === 0 && ((v.openDeals ?? 0) > 0 || (v.openProjects ?? 0) > 0);

export const isProspect = (v: Values): boolean =>
  (v.openDeals ?? 0) > 0 && (v.issuedInvoices ?? 0) === 0 && (v.wonDeals ?? 0) === 0 && (v.projects ?? 0) === 0;

/**
 * Customer rollup → the global counts, its projects' costs to the margin unless the customer is internal, and
 * the customer as new in the month of its first sale (acquisition.ts).
 */
export const deriveCustomer = (_key: string, values: Values): Contribution[] => [
  { key: keys.customers, values: { active: isActiveCustomer(values) ? 1 : 0, prospects: isProspect(values) ? 1 : 0 } },
  ...((values.internal ?? 0) > 0 ? [] : costsToMargin(costFields(values))),
  ...newCustomerContributions(values),
];

/**
 * Active customers and prospects in pipeline from the global counts the rollups keep (live), or from a
 * snapshot of them; null when there is nothing to show (a past period without its snapshot).
 */
export const customersFigure = (customers: AggregateView | null | undefined) => ({
  activeCustomers: customers === null ? null : (customers?.values.active ?? 0),
  prospectsInPipeline: customers === null ? null : (customers?.values.prospects ?? 0),
  customersUpdatedAt: latestUpdate([customers ?? undefined]),
});
