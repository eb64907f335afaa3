import { builtOnce, type CanonicalEvent, type SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector } from '../connector.js';
import { SignatureError } from '../errors.js';
import { epochSecondsToIso, minorAmount, parseJson, parseWith, payloadFields } from '../payload.js';
import { assertFresh, hmac, requireHeader, safeEqual, timestampHeader } from '../signature.js';

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`, key = the endpoint's
 * `whsec_…` secret. Invoices and credit notes become canonical snapshots ordered by status precedence.
 */

const HEADER = 'Stripe-Signature';
const TOLERANCE_MS = 300_000;

const parseSignatureHeader = (value: string): { t: string; v1: string[] } => {
  let t: string | undefined;
  const v1: string[] = [];
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq).trim();
    const val = item.slice(eq + 1).trim();
    if (eq < 0) continue;
    if (key === 't') t = val;
    else if (key === 'v1') v1.push(val);
  }
  if (t === undefined) throw new SignatureError(`${HEADER} has no t= timestamp`);
  if (v1.length === 0) throw new SignatureError(`${HEADER} has no v1= signature`);
  return { t, v1 };
};

/**
 * Stripe's minor units are not always the core's (ICU/CLDR digits): Stripe sends every currency with two
 * decimals except its zero-decimal list and five three-decimal ones, so ISK, HUF, COP, IDR, PKR and a few
 * more arrive as hundredths the core counts in whole units. Amounts are rescaled; a fraction the core cannot
 * hold (HUF 10.45) is refused, never rounded.
 */
const ZERO_DECIMAL = new Set('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
const stripeDigits = (iso: string): number => (ZERO_DECIMAL.has(iso) ? 0 : THREE_DECIMAL.has(iso) ? 3 : 2);
const fromStripeMinor = (amount: number, iso: string, where: string): number =>
  minorAmount(amount / 10 ** stripeDigits(iso), iso, where);

/** Stripe's payloads, built on the first Stripe delivery (an ingest invocation for another source never builds them). */
const schemas = builtOnce(() => {
  const { currencyCode, epochSeconds } = payloadFields();
  const expandable = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((o) => o.id)]);
  const customerFields = {
    customer: expandable.nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
  };
  const amountFields = { currency: currencyCode, total: z.number().int() };

  const invoice = z.object({
    id: z.string().min(1),
    status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']),
    number: z.string().nullish(),
    effective_at: epochSeconds.nullish(),
    status_transitions: z.object({ finalized_at: epochSeconds.nullish() }).nullish(),
    ...amountFields,
    ...customerFields,
  });

  const creditNote = z.object({
    id: z.string().min(1),
    status: z.enum(['issued', 'void']),
    invoice: expandable.nullish(),
    created: epochSeconds,
    effective_at: epochSeconds.nullish(),
    ...amountFields,
    ...customerFields,
  });

  const delivery = z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    created: epochSeconds,
    data: z.object({ object: z.unknown() }),
  });

  return { invoice, creditNote, delivery };
});

/** Status precedence: a later status never goes back (paid and uncollectible share a rank). */
const INVOICE_RANK = { draft: 0, open: 1, paid: 2, uncollectible: 2, void: 3 } as const;
const CREDIT_NOTE_RANK = { issued: 0, void: 1 } as const;
const INVOICE_STATUS = {
  draft: 'draft',
  open: 'issued',
  paid: 'issued',
  uncollectible: 'issued',
  void: 'void',
} as const;

const customerOf = (o: { customer?: string | null; metadata?: Record<string, string> | null }): string | null =>
  o.metadata?.crm_customer_id || o.customer || null;

/**
 * When and how a Stripe object was seen: a webhook's event (`created`, the event type's deletion) or a list
 * API page (`created` = when the page was read, so the state read wins over any older delivery of the same
 * status, and loses to a newer one).
 */
export interface StripeSighting {
  /** Epoch seconds; orders two states of the same status rank. */
  created: number;
  deliveryId: string;
  deleted?: boolean;
  /** Where the object sits in what was received, for error messages. */
  where: readonly PropertyKey[];
}

const envelope = (seen: StripeSighting) => ({
  source: 'stripe',
  mode: 'snapshot' as const,
  occurredAt: epochSecondsToIso(seen.created),
  deliveryId: seen.deliveryId,
});

const WHERE = ['data', 'object'] as const;

const at = (seen: StripeSighting, field: string) => [...seen.where, field].join('.');

/** A Stripe invoice object (a webhook's `data.object`, or an item of `GET /v1/invoices`) as a canonical snapshot. */
export const stripeInvoiceEvent = (object: unknown, seen: StripeSighting): SnapshotEvent<'invoice'> => {
  const o = parseWith(schemas().invoice, object, seen.where);
  const date = o.effective_at ?? o.status_transitions?.finalized_at;
  return {
    ...envelope(seen),
    entity: 'invoice',
    id: o.id,
    // Status decides; the event time only orders two states of the same rank (a metadata edit on an open invoice).
    version: [INVOICE_RANK[o.status], seen.created],
    deleted: seen.deleted ?? false,
    data: {
      customerId: customerOf(o),
      projectId: null,
      number: o.number ?? null,
      status: INVOICE_STATUS[o.status],
      invoiceDate: date === null || date === undefined ? null : epochSecondsToIso(date),
      total: fromStripeMinor(o.total, o.currency, at(seen, 'total')),
      currency: o.currency,
    },
  };
};

/** A Stripe credit note object (webhook or `GET /v1/credit_notes`) as a canonical snapshot. */
export const stripeCreditNoteEvent = (object: unknown, seen: StripeSighting): SnapshotEvent<'credit_note'> => {
  const o = parseWith(schemas().creditNote, object, seen.where);
  return {
    ...envelope(seen),
    entity: 'credit_note',
    id: o.id,
    version: [CREDIT_NOTE_RANK[o.status], seen.created],
    deleted: seen.deleted ?? false,
    data: {
      customerId: customerOf(o),
      invoiceId: o.invoice ?? null,
      status: o.status,
      date: epochSecondsToIso(o.effective_at ?? o.created),
      total: fromStripeMinor(o.total, o.currency, at(seen, 'total')),
      currency: o.currency,
    },
  };
};

/**
 * A Stripe event (a webhook's body, or an item of `GET /v1/events`: the same Event object) as a canonical
 * snapshot of its invoice or credit note; undefined for the event types the figures do not read.
 */
export const stripeEventToCanonical = (
  value: unknown,
  deliveryId: string,
  where: readonly PropertyKey[] = [],
): CanonicalEvent | undefined => {
  const body = parseWith(schemas().delivery, value, where);
  const seen = { created: body.created, deliveryId, where: [...where, ...WHERE] };
  // invoice.upcoming previews an invoice that does not exist yet (it has no id).
  if (body.type.startsWith('invoice.') && body.type !== 'invoice.upcoming')
    return stripeInvoiceEvent(body.data.object, { ...seen, deleted: body.type === 'invoice.deleted' });
  if (body.type.startsWith('credit_note.')) return stripeCreditNoteEvent(body.data.object, seen);
  return undefined;
};

export const stripe: Connector = {
  source: 'stripe',
  secretVariable: 'WEBHOOK_SECRET_STRIPE',

  verify(request, secret, now) {
    const { t, v1 } = parseSignatureHeader(requireHeader(request.headers, HEADER));
    const timestampMs = timestampHeader(t, 1000, `${HEADER} t`);
    const expected = hmac('sha256', secret, [`${t}.`, request.body], 'hex');
    if (!v1.some((candidate) => safeEqual(candidate, expected))) {
      throw new SignatureError(`${HEADER} does not match the body`);
    }
    assertFresh(timestampMs, now, TOLERANCE_MS, `${HEADER} t`);
  },

  parse(request, ctx) {
    const event = stripeEventToCanonical(parseJson(request.body), ctx.deliveryId);
    if (!event) return { events: [], ignored: 1 };
    return { events: [event], ignored: 0 };
  },
};
