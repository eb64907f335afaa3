import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import { dayOf, monthOfDay } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { soldField } from './acquisition.js';
import { type AggregateView, latestUpdate, others, pct, perCurrency } from './figures.js';
import { byCurrency, currencyField, fromKeyPart, keyPart, keys, labelMember } from './keys.js';
import { customerOfRollup } from './margin.js';
import { billingSegmentContributions } from './segments.js';

/**
 * Billing of a month: issued invoices by invoice date; credit notes subtract in their own month unless
 * voided. The same amounts make up the billing side of the year's margin.
 *
 * A credit note belongs to its invoice's customer, which the credit note itself may not know (Stripe names
 * its own customer object, the invoice our CRM's id) and which may arrive later or change. So a credit note
 * of a known invoice passes its amount to the invoice's rollup (`@invoice#stripe#in_1`), the invoice names
 * its customer there, and the rollup places the credits under that customer, or under the credit note's own
 * customer while the invoice has none.
 */
export const invoiceContributions = (state: EntityState<'invoice'>, ctx: MetricContext): Contribution[] => {
  const { status, invoiceDate, total, currency, customerId } = state.data;
  const out: Contribution[] = [];
  if (customerId)
    out.push({ key: keys.invoiceRollup(state.source, state.id), values: { [labelMember('customer', customerId)]: 1 } });
  // A customer with an issued invoice is no longer a prospect, even if the invoice is dated oddly.
  if (status === 'issued' && customerId)
    out.push({ key: keys.customerRollup(customerId), values: { issuedInvoices: 1 } });
  if (status !== 'issued' || !invoiceDate) return out;
  const day = dayOf(invoiceDate, ctx.timeZone);
  const month = monthOfDay(day);
  const billed = { [currencyField('amount', currency)]: total, [currencyField('invoices', currency)]: 1 };
  out.push(
    { key: keys.billing(month), values: billed },
    { key: keys.billingDay(day), values: billed },
    { key: keys.margin(month), values: { [currencyField('billing', currency)]: total } },
    ...billingSegmentContributions(month, customerId, currency, total, 1),
  );
  // An issued invoice is a sale: the customer's first sale makes it a new customer (acquisition.ts).
  if (customerId) out.push({ key: keys.customerRollup(customerId), values: { [soldField(month)]: 1 } });
  return out;
};

export const creditNoteContributions = (state: EntityState<'credit_note'>, ctx: MetricContext): Contribution[] => {
  const { status, date, total, currency, customerId, invoiceId } = state.data;
  if (status !== 'issued') return [];
  const day = dayOf(date, ctx.timeZone);
  const month = monthOfDay(day);
  const credited = { [currencyField('amount', currency)]: -total, [currencyField('creditNotes', currency)]: 1 };
  return [
    { key: keys.billing(month), values: credited },
    { key: keys.billingDay(day), values: credited },
    { key: keys.margin(month), values: { [currencyField('billing', currency)]: -total } },
    ...(invoiceId
      ? [
          {
            key: keys.invoiceRollup(state.source, invoiceId),
            values: { [creditField(month, currency, customerId)]: -total },
          },
        ]
      : billingSegmentContributions(month, customerId, currency, -total, 0)),
  ];
};

/** `credit:YYYY-MM:CUR:customer` on an invoice rollup: credits of a month, with the credit note's own customer. */
const creditField = (month: string, currency: string, customerId: string | null) =>
  `credit:${month}:${currency}:${keyPart(customerId ?? '')}`;
const CREDIT_FIELD = /^credit:(\d{4}-\d{2}):([A-Z]{3}):(.*)$/;

/** Invoice rollup → the breakdowns: its credits under the invoice's customer, else the credit note's own. */
export const deriveInvoice = (_key: string, values: Values): Contribution[] => {
  const invoiceCustomer = customerOfRollup(values);
  return Object.entries(values).flatMap(([field, amount]) => {
    const [, month, currency, own] = CREDIT_FIELD.exec(field) ?? [];
    if (!month || !currency || own === undefined) return [];
    const customer = invoiceCustomer ?? (own === '' ? null : fromKeyPart(own));
    return billingSegmentContributions(month, customer, currency, amount, 0);
  });
};

/**
 * Billing of a period against the period before (each the sum of its months), in the base currency, other
 * currencies beside it. The names say month because a month is the usual period; for a year they hold the
 * year and the year before (docs/metrics.md).
 */
export const billingFigure = (
  current: AggregateView | undefined,
  previous: AggregateView | undefined,
  ctx: MetricContext,
) => {
  const thisMinor = byCurrency(current?.values ?? {}, 'amount');
  const lastMinor = byCurrency(previous?.values ?? {}, 'amount');
  const base = ctx.baseCurrency;
  const thisMonth = toMajor(thisMinor[base] ?? 0, base);
  const lastMonth = toMajor(lastMinor[base] ?? 0, base);
  return {
    thisMonth,
    lastMonth,
    changePct: lastMinor[base] ? pct((thisMinor[base] ?? 0) - lastMinor[base], lastMinor[base]) : null,
    otherCurrencies: others(perCurrency({ thisMonth: thisMinor, lastMonth: lastMinor }), base),
    updatedAt: latestUpdate([current]),
  };
};
