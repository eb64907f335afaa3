import type { MetricContext } from '../context.js';
import { monthOf, yearOfMonth } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution } from '../values.js';
import { currencyField, keys } from './keys.js';
import { billingSegmentContributions } from './segments.js';

/**
 * Billing of a month: issued invoices by invoice date; credit notes subtract in their own month unless
 * voided. The same amounts make up the billing side of the year's margin.
 */
export const invoiceContributions = (state: EntityState<'invoice'>, ctx: MetricContext): Contribution[] => {
  const { status, invoiceDate, total, currency, customerId } = state.data;
  const out: Contribution[] = [];
  // A customer with an issued invoice is no longer a prospect, even if the invoice is dated oddly.
  if (status === 'issued' && customerId)
    out.push({ key: keys.customerRollup(customerId), values: { issuedInvoices: 1 } });
  if (status !== 'issued' || !invoiceDate) return out;
  const month = monthOf(invoiceDate, ctx.timeZone);
  out.push(
    {
      key: keys.billing(month),
      values: { [currencyField('amount', currency)]: total, [currencyField('invoices', currency)]: 1 },
    },
    { key: keys.margin(yearOfMonth(month)), values: { [currencyField('billing', currency)]: total } },
    ...billingSegmentContributions(month, customerId, currency, total, 1),
  );
  return out;
};

export const creditNoteContributions = (state: EntityState<'credit_note'>, ctx: MetricContext): Contribution[] => {
  const { status, date, total, currency, customerId } = state.data;
  if (status !== 'issued') return [];
  const month = monthOf(date, ctx.timeZone);
  return [
    {
      key: keys.billing(month),
      values: { [currencyField('amount', currency)]: -total, [currencyField('creditNotes', currency)]: 1 },
    },
    { key: keys.margin(yearOfMonth(month)), values: { [currencyField('billing', currency)]: -total } },
    ...billingSegmentContributions(month, customerId, currency, -total, 0),
  ];
};
