import fc from 'fast-check';
import {
  type Delivery,
  delightedEvent,
  genericEvents,
  type HubspotEvent,
  hubspotBatch,
  type PipedriveDeal,
  pipedriveEvent,
  pipedriveTime,
  type StripeInvoice,
  type StripeInvoiceStatus,
  stripeCreditNoteEvent,
  stripeInvoiceEvent,
  typeformEvent,
} from './provider-payloads.js';
import type {
  Business,
  RefCreditNote,
  RefCustomer,
  RefDeal,
  RefInvoice,
  RefProject,
  RefResponse,
  RefSpend,
} from './reference-model.js';
import { toMinorUnits } from './reference-model.js';
import { shuffle } from './seam-pipeline.js';

/**
 * Randomized business histories across every source, for the seam-crossing property test:
 * - the arbitraries (`worldArbitrary`) describe each entity's history in the provider's own terms (a Stripe
 *   invoice's lifecycle, a HubSpot deal's property changes over time, a Pipedrive deal's updates, a survey
 *   answer's edits, a generic entity's versions);
 * - `deliveriesOf` renders every state as the real webhook the provider sends (provider-payloads.ts), HubSpot
 *   property changes spread over several batches;
 * - `businessOf` picks each entity's final state by the provider's ordering rules (contract section 3a) and
 *   maps it onto the reference model's entities.
 */

// ---------------------------------------------------------------------------------------------------------
// Time: everything happens in September to November 2026 (and at the turn of 2025/2026), with instants on
// both sides of the month boundaries in Europe/Oslo (CEST until 25 October, CET after), the zone most runs
// use; runs in other zones see the same instants fall on other sides.

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const sec = (text: string) => Date.parse(text) / 1000;

const BOUNDARIES = [
  '2025-12-31T22:59:59Z', // 2025-12-31 23:59:59 in Oslo
  '2025-12-31T23:00:00Z', // 2026-01-01 00:00 in Oslo
  '2026-09-30T21:59:59Z',
  '2026-09-30T22:00:00Z', // 1 October in Oslo
  '2026-10-31T22:59:59Z',
  '2026-10-31T23:00:00Z', // 1 November in Oslo
].map(sec);

const instant = fc.oneof(
  { arbitrary: fc.constantFrom(...BOUNDARIES), weight: 1 },
  { arbitrary: fc.integer({ min: sec('2026-09-01T00:00:00Z'), max: sec('2026-11-19T12:00:00Z') }), weight: 4 },
);
const DAY = 86_400;
/** A gap between two changes of one entity: from a second to five days. */
const gap = fc.oneof(fc.integer({ min: 1, max: 3_600 }), fc.integer({ min: 3_600, max: 5 * DAY }));

/** An instant as a timestamp with an offset, as an ERP in another zone writes it. */
const withOffset = (seconds: number, offsetMinutes: number): string => {
  if (offsetMinutes === 0) return iso(seconds);
  const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};
const timestampText = fc
  .tuple(instant, fc.constantFrom(0, 0, 60, 120, -300, 330))
  .map(([s, offset]) => withOffset(s, offset));

const localDate = fc.oneof(
  fc.constantFrom('2025-12-31', '2026-01-01', '2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01'),
  fc.integer({ min: 0, max: 79 }).map((d) => iso(sec('2026-09-01T00:00:00Z') + d * DAY).slice(0, 10)),
);
/** A generic date: a local date, or a timestamp in UTC or with an offset. */
const genericDate = fc.oneof(localDate, timestampText);

// ---------------------------------------------------------------------------------------------------------
// Shared pools: customer ids every source refers to (Pipedrive's org ids are numbers, hence digits).

const CUSTOMERS = ['7001', '7002', '7003', '7004', '7005'] as const;
const PROJECTS = ['P1', 'P2', 'P3'] as const;
const customerRef = fc.option(fc.constantFrom(...CUSTOMERS), { nil: null, freq: 4 });
const sometimes = (oneIn: number) => fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);
/** Cents: major amounts with two decimals. */
const cents = fc.integer({ min: 100, max: 5_000_000 });
const genericCurrency = fc.constantFrom('EUR', 'EUR', 'EUR', 'USD');

// ---------------------------------------------------------------------------------------------------------
// Generic: versions of canonical events

interface GenericVersion {
  version: number;
  deleted: boolean;
  fields: Record<string, unknown>;
}
interface GenericEntity {
  type: string;
  id: string;
  versions: GenericVersion[];
}

const versionsOf = (fields: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<GenericVersion[]> =>
  fc
    .array(fc.record({ step: fc.integer({ min: 1, max: 3 }), deleted: sometimes(6), fields }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((states) => {
      let version = 0;
      return states.map((s) => {
        version += s.step;
        return { version, deleted: s.deleted, fields: s.fields };
      });
    });

const customerFields = fc.record({
  name: fc.constantFrom('Nordlicht GmbH', 'Fjord & Co', 'Acme AS'),
  internal: sometimes(4),
  segment: fc.option(fc.constantFrom('Gold', 'Silver'), { nil: null, freq: 4 }),
  channel: fc.option(fc.constantFrom('Partner', 'Direct'), { nil: null, freq: 4 }),
  ownerId: fc.option(fc.constantFrom('U1', 'U2'), { nil: null }),
});

const projectFields = fc.record({
  customerId: customerRef,
  status: fc.constantFrom('open', 'closed'),
  internal: sometimes(4),
});

const invoiceFields = fc.record({
  customerId: customerRef,
  projectId: fc.option(fc.constantFrom(...PROJECTS), { nil: null }),
  number: fc.option(
    fc.integer({ min: 1, max: 999 }).map((n) => `2026-${String(n).padStart(3, '0')}`),
    {
      nil: null,
      freq: 5,
    },
  ),
  status: fc.constantFrom('draft', 'sent', 'sent', 'sent', 'void'),
  invoiceDate: fc.option(genericDate, { nil: null, freq: 8 }),
  total: cents.map((c) => c / 100),
  currency: genericCurrency,
});

const costFields = fc.record({
  projectId: fc.option(fc.constantFrom(...PROJECTS), { nil: null, freq: 4 }),
  date: genericDate,
  amount: cents.map((c) => c / 100),
  currency: genericCurrency,
});

const spendFields = fc.record({
  date: genericDate,
  amount: cents.map((c) => c / 100),
  currency: genericCurrency,
  channel: fc.option(fc.constantFrom('Partner', 'Direct'), { nil: null, freq: 4 }),
  campaign: fc.option(fc.constantFrom('Spring'), { nil: null }),
});

const dealFields = fc
  .record({
    customerId: customerRef,
    ownerId: fc.option(fc.constantFrom('U1', 'U2'), { nil: null, freq: 6 }),
    status: fc.constantFrom('open', 'open', 'won', 'lost'),
    // '2' is also a Pipedrive stage id: two sources' stage 2 must stay two stages.
    stage: fc.constantFrom('qualified', 'proposal', 'negotiation', '2'),
    amount: fc.option(
      cents.map((c) => c / 100),
      { nil: null, freq: 6 },
    ),
    currency: genericCurrency,
    created: instant,
    closeAfter: gap,
    source: fc.option(fc.constantFrom('marketing', 'referral'), { nil: null }),
  })
  .map(({ created, closeAfter, ...d }) => ({
    ...d,
    createdAt: iso(created),
    closedAt: d.status === 'open' ? null : iso(created + closeAfter),
  }));

const responseFields = fc.record({
  customerId: customerRef,
  score: fc.integer({ min: 0, max: 10 }),
  submittedAt: timestampText,
  comment: fc.option(fc.constantFrom('Too slow', 'Great support', 'Invoices are confusing'), { nil: null }),
  email: fc.option(fc.constantFrom('anna@nordlicht.example', 'ola@fjord.example'), { nil: null }),
  segment: fc.option(fc.constantFrom('Gold', 'Bronze'), { nil: null, freq: 4 }),
  channel: fc.option(fc.constantFrom('Web', 'Partner'), { nil: null, freq: 4 }),
});

const genericOf = (type: string, fields: fc.Arbitrary<Record<string, unknown>>, ids: readonly string[] | string) =>
  typeof ids === 'string'
    ? fc
        .array(versionsOf(fields), { maxLength: 4 })
        .map((all) => all.map((versions, i): GenericEntity => ({ type, id: `${ids}${i + 1}`, versions })))
    : fc
        .uniqueArray(fc.record({ id: fc.constantFrom(...ids), versions: versionsOf(fields) }), {
          selector: (e) => e.id,
          maxLength: ids.length,
        })
        .map((all) => all.map((e): GenericEntity => ({ type, ...e })));

// ---------------------------------------------------------------------------------------------------------
// Stripe: invoice lifecycles and credit notes

type StripeStep = StripeInvoiceStatus | 'deleted';
const LIFECYCLES: readonly (readonly StripeStep[])[] = [
  ['draft'],
  ['draft', 'deleted'],
  ['draft', 'open'],
  ['open', 'open'],
  ['draft', 'open', 'paid'],
  ['open', 'paid'],
  ['draft', 'open', 'void'],
  ['open', 'uncollectible'],
  ['open', 'uncollectible', 'void'],
];

interface StripeInvoiceSpec {
  customer: string;
  crmCustomerId: string | null;
  currency: string;
  total: number;
  draftTotal: number;
  finalizedAt: number;
  effectiveAt: number | null;
  lifecycle: readonly StripeStep[];
  gaps: number[];
}

const stripeInvoice: fc.Arbitrary<StripeInvoiceSpec> = fc.record({
  customer: fc.constantFrom('cus_SXq8aB2fK1LmNo', 'cus_Tb7QmN2xP4LkZa'),
  crmCustomerId: fc.option(fc.constantFrom(...CUSTOMERS), { nil: null, freq: 4 }),
  currency: fc.constantFrom('eur', 'eur', 'usd', 'jpy'),
  total: cents,
  draftTotal: cents,
  finalizedAt: instant,
  effectiveAt: fc.option(instant, { nil: null }),
  lifecycle: fc.constantFrom(...LIFECYCLES),
  gaps: fc.array(gap, { minLength: 3, maxLength: 3 }),
});

interface CreditNoteSpec {
  invoiceIndex: number;
  percent: number;
  created: number;
  effectiveAt: number | null;
  voided: boolean;
  dangling: boolean;
}

const creditNote: fc.Arbitrary<CreditNoteSpec> = fc.record({
  invoiceIndex: fc.nat(),
  percent: fc.integer({ min: 1, max: 100 }),
  created: instant,
  effectiveAt: fc.option(instant, { nil: null }),
  voided: sometimes(4),
  dangling: sometimes(8),
});

// ---------------------------------------------------------------------------------------------------------
// HubSpot: a deal's property changes over time

type HubspotChange =
  | { property: 'amount'; value: number }
  | { property: 'hubspot_owner_id' | 'customer_id' | 'dealstage'; value: string };

interface HubspotDealSpec {
  created: number;
  /** `createdate` sent this many days before the creation event (an import), or not at all. */
  createdateDaysBefore: number | null;
  currency: string;
  amount: number;
  owner: string;
  customer: string | null;
  stage: string;
  changes: { after: number; change: HubspotChange }[];
  close: { after: number; stage: 'closedwon' | 'closedlost'; closedateBack: number | null } | null;
  deletedAfter: number | null;
}

const hubspotAmount = fc.integer({ min: 1, max: 50_000 }).map((n) => n * 10);
const hubspotDeal: fc.Arbitrary<HubspotDealSpec> = fc.record({
  created: instant,
  createdateDaysBefore: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  currency: fc.constantFrom('EUR', 'EUR', 'USD', 'JPY'),
  amount: hubspotAmount,
  owner: fc.constantFrom('61001', '61002'),
  customer: fc.option(fc.constantFrom(...CUSTOMERS), { nil: null, freq: 3 }),
  stage: fc.constantFrom('appointmentscheduled', 'qualifiedtobuy'),
  changes: fc.array(
    fc.record({
      after: gap,
      change: fc.oneof(
        hubspotAmount.map((value): HubspotChange => ({ property: 'amount', value })),
        fc.constantFrom('61001', '61002').map((value): HubspotChange => ({ property: 'hubspot_owner_id', value })),
        fc.constantFrom(...CUSTOMERS).map((value): HubspotChange => ({ property: 'customer_id', value })),
        fc
          .constantFrom('presentationscheduled', 'decisionmakerboughtin', 'contractsent')
          .map((value): HubspotChange => ({ property: 'dealstage', value })),
      ),
    }),
    { maxLength: 3 },
  ),
  close: fc.option(
    fc.record({
      after: gap,
      stage: fc.constantFrom('closedwon', 'closedwon', 'closedlost'),
      closedateBack: fc.option(fc.integer({ min: 0, max: 3 * DAY }), { nil: null }),
    }),
    { nil: null },
  ),
  deletedAfter: fc.option(gap, { nil: null, freq: 8 }),
});

/** A HubSpot deal's events in time order, each with its occurredAt (whole seconds, in ms). */
const hubspotEvents = (objectId: number, d: HubspotDealSpec): HubspotEvent[] => {
  const events: HubspotEvent[] = [];
  const property = (occurredAt: number, name: string, value: string) =>
    events.push({ kind: 'property', objectId, occurredAt, name, value });
  const created = d.created * 1000;
  events.push({ kind: 'creation', objectId, occurredAt: created });
  let t = created + 1000;
  property(t, 'dealstage', d.stage);
  property(t, 'amount', String(d.amount));
  property(t, 'deal_currency_code', d.currency);
  property(t, 'hubspot_owner_id', d.owner);
  if (d.customer) property(t, 'customer_id', d.customer);
  if (d.createdateDaysBefore !== null) property(t, 'createdate', String(created - d.createdateDaysBefore * DAY * 1000));
  for (const { after, change } of d.changes) {
    t += after * 1000;
    property(t, change.property, String(change.value));
  }
  if (d.close) {
    t += d.close.after * 1000;
    property(t, 'dealstage', d.close.stage);
    if (d.close.closedateBack !== null) {
      const createdAt = created - (d.createdateDaysBefore ?? 0) * DAY * 1000;
      property(t, 'closedate', String(Math.max(createdAt, t - d.close.closedateBack * 1000)));
    }
  }
  if (d.deletedAfter !== null) events.push({ kind: 'deletion', objectId, occurredAt: t + d.deletedAfter * 1000 });
  return events;
};

// ---------------------------------------------------------------------------------------------------------
// Pipedrive: a deal's states, ordered by update_time then meta.timestamp

interface PipedriveDealSpec {
  added: number;
  orgId: number | null;
  owner: number;
  currency: string;
  value: number | null;
  stage: number;
  /** `after` 0 is a second change within the same second (update_time ties; meta.timestamp decides). */
  changes: { after: number; value: number | null; stage: number; owner: number }[];
  close: { after: number; status: 'won' | 'lost'; closeTimeOnly: boolean } | null;
  deletedAfter: number | null;
}

const pipedriveDeal: fc.Arbitrary<PipedriveDealSpec> = fc.record({
  added: instant,
  orgId: fc.option(fc.constantFrom(...CUSTOMERS.map(Number)), { nil: null, freq: 4 }),
  owner: fc.constantFrom(12415231, 12415232),
  currency: fc.constantFrom('EUR', 'EUR', 'USD'),
  value: fc.option(
    cents.map((c) => c / 100),
    { nil: null, freq: 8 },
  ),
  stage: fc.integer({ min: 1, max: 5 }),
  changes: fc.array(
    fc.record({
      after: fc.oneof(fc.constant(0), gap),
      value: fc.option(
        cents.map((c) => c / 100),
        { nil: null, freq: 8 },
      ),
      stage: fc.integer({ min: 1, max: 5 }),
      owner: fc.constantFrom(12415231, 12415232),
    }),
    { maxLength: 3 },
  ),
  close: fc.option(
    fc.record({
      after: fc.oneof(fc.constant(0), gap),
      status: fc.constantFrom('won', 'lost'),
      closeTimeOnly: sometimes(3),
    }),
    { nil: null },
  ),
  deletedAfter: fc.option(gap, { nil: null, freq: 8 }),
});

interface PipedriveState {
  action: 'create' | 'change' | 'delete';
  deal: PipedriveDeal;
  /** meta.timestamp, ms. */
  timestamp: number;
}

const pipedriveStates = (id: number, d: PipedriveDealSpec): PipedriveState[] => {
  const addTime = pipedriveTime(d.added * 1000);
  let deal: PipedriveDeal = {
    id,
    status: 'open',
    value: d.value,
    currency: d.currency,
    orgId: d.orgId,
    ownerId: d.owner,
    stageId: d.stage,
    addTime,
    updateTime: null,
    wonTime: null,
    lostTime: null,
    closeTime: null,
  };
  let t = d.added;
  let ms = 200;
  const states: PipedriveState[] = [{ action: 'create', deal, timestamp: t * 1000 + ms }];
  const next = (after: number) => {
    ms = after === 0 ? ms + 37 : 200;
    t += after;
  };
  for (const c of d.changes) {
    next(c.after);
    deal = { ...deal, value: c.value, stageId: c.stage, ownerId: c.owner, updateTime: pipedriveTime(t * 1000) };
    states.push({ action: 'change', deal, timestamp: t * 1000 + ms });
  }
  if (d.close) {
    next(d.close.after);
    const when = pipedriveTime(t * 1000);
    deal = {
      ...deal,
      status: d.close.status,
      updateTime: when,
      closeTime: when,
      wonTime: d.close.status === 'won' && !d.close.closeTimeOnly ? when : null,
      lostTime: d.close.status === 'lost' && !d.close.closeTimeOnly ? when : null,
    };
    states.push({ action: 'change', deal, timestamp: t * 1000 + ms });
  }
  if (d.deletedAfter !== null) states.push({ action: 'delete', deal, timestamp: (t + d.deletedAfter) * 1000 + 500 });
  return states;
};

// ---------------------------------------------------------------------------------------------------------
// Surveys: Typeform (one state per token) and Delighted (edits ordered by updated_at)

interface TypeformSpec {
  score: number;
  submitted: number;
  customerKey: 'customer_id' | 'account_id' | null;
  customer: string;
  comment: string | null;
  email: { via: 'hidden' | 'answer'; address: string } | null;
}

const typeformResponse: fc.Arbitrary<TypeformSpec> = fc.record({
  score: fc.integer({ min: 0, max: 10 }),
  submitted: instant,
  customerKey: fc.constantFrom('customer_id', 'account_id', null),
  customer: fc.constantFrom(...CUSTOMERS),
  comment: fc.option(fc.constantFrom('Support answers within the hour', 'The export needs manual work'), { nil: null }),
  email: fc.option(
    fc.record({ via: fc.constantFrom('hidden', 'answer'), address: fc.constantFrom('anna.berg@nordlicht.example') }),
    { nil: null },
  ),
});

interface DelightedSpec {
  created: number;
  customer: string | null;
  email: string | null;
  states: { after: number; score: number; comment: string | null }[];
}

const delightedResponse: fc.Arbitrary<DelightedSpec> = fc.record({
  created: instant,
  customer: customerRef,
  email: fc.option(fc.constantFrom('ola@fjord.example'), { nil: null }),
  states: fc.array(
    fc.record({
      after: gap,
      score: fc.integer({ min: 0, max: 10 }),
      comment: fc.option(fc.constantFrom('Slow invoices', 'Lovely'), { nil: null }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

const delightedUpdates = (d: DelightedSpec) => {
  let t = d.created;
  return d.states.map((s, i) => {
    if (i > 0) t += s.after;
    return { ...s, updatedAt: i === 0 ? null : t };
  });
};

// ---------------------------------------------------------------------------------------------------------
// The world

export interface World {
  /** Seeds the order of deliveries, their duplicates and the SQS batches. */
  seed: number;
  /** METRICS_TIMEZONE and BASE_CURRENCY of the run. */
  ctx: { timeZone: string; baseCurrency: string };
  generic: GenericEntity[];
  stripeInvoices: StripeInvoiceSpec[];
  creditNotes: CreditNoteSpec[];
  hubspot: HubspotDealSpec[];
  pipedrive: PipedriveDealSpec[];
  typeform: TypeformSpec[];
  delighted: DelightedSpec[];
}

export const worldArbitrary: fc.Arbitrary<World> = fc.record({
  seed: fc.integer(),
  ctx: fc.record({
    timeZone: fc.constantFrom('Europe/Oslo', 'Europe/Oslo', 'America/New_York', 'Asia/Kolkata', 'UTC'),
    baseCurrency: fc.constantFrom('EUR', 'EUR', 'USD'),
  }),
  generic: fc
    .tuple(
      genericOf('customer', customerFields, CUSTOMERS),
      genericOf('project', projectFields, PROJECTS),
      genericOf('invoice', invoiceFields, 'GI'),
      genericOf('cost', costFields, 'GK'),
      genericOf('deal', dealFields, 'GD'),
      genericOf('survey_response', responseFields, 'GR'),
      genericOf('spend', spendFields, 'GS'),
    )
    .map((kinds) => kinds.flat()),
  stripeInvoices: fc.array(stripeInvoice, { maxLength: 5 }),
  creditNotes: fc.array(creditNote, { maxLength: 3 }),
  hubspot: fc.array(hubspotDeal, { maxLength: 4 }),
  pipedrive: fc.array(pipedriveDeal, { maxLength: 4 }),
  typeform: fc.array(typeformResponse, { maxLength: 4 }),
  delighted: fc.array(delightedResponse, { maxLength: 3 }),
});

const stripeInvoiceId = (i: number) => `in_1Seam${String(i).padStart(4, '0')}LkdIwHu7ix`;
const hubspotId = (i: number) => 267_448_862_400 + i;
const pipedriveId = (i: number) => 1100 + i;
const typeformToken = (i: number) => `9q3k2m8x7z1p0r4t${String(i).padStart(4, '0')}seam`;
const delightedId = (i: number) => String(88_217_400 + i);

/** The invoice a Stripe step stands for, with its status transitions filled in. */
const stripeInvoiceAt = (i: number, s: StripeInvoiceSpec, step: StripeStep, times: number[]): StripeInvoice => {
  const draft = step === 'draft' || step === 'deleted';
  const status: StripeInvoiceStatus = step === 'deleted' ? 'draft' : step;
  const when = (reached: StripeStep) => {
    const index = s.lifecycle.indexOf(reached);
    return index >= 0 && s.lifecycle.indexOf(step) >= index ? (times[index] ?? null) : null;
  };
  return {
    id: stripeInvoiceId(i),
    status,
    customer: s.customer,
    crmCustomerId: s.crmCustomerId,
    number: draft ? null : `7F3B2C1A-${String(1000 + i)}`,
    total: draft ? s.draftTotal : s.total,
    currency: s.currency,
    effectiveAt: draft ? null : s.effectiveAt,
    finalizedAt: draft ? null : s.finalizedAt,
    paidAt: when('paid'),
    voidedAt: when('void'),
    uncollectibleAt: when('uncollectible'),
  };
};

/** Event times of an invoice's steps: a draft an hour before finalization, later steps after it. */
const stripeTimes = (s: StripeInvoiceSpec): number[] => {
  let t = s.finalizedAt;
  return s.lifecycle.map((step, i) => {
    if (step === 'draft') return s.finalizedAt - 3600;
    if (i > 0 && s.lifecycle[i - 1] !== 'draft') t += s.gaps[i - 1] ?? DAY;
    return step === 'deleted' ? s.finalizedAt - 1800 : t;
  });
};

const STRIPE_EVENT: Record<string, string> = {
  draft: 'invoice.created',
  open: 'invoice.finalized',
  paid: 'invoice.paid',
  void: 'invoice.voided',
  uncollectible: 'invoice.marked_uncollectible',
  deleted: 'invoice.deleted',
};

/** The Stripe invoices that were finalized at some point: a credit note can only be on one of those. */
const creditable = (w: World) =>
  w.stripeInvoices
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => ['open', 'paid', 'uncollectible'].includes(s.lifecycle[s.lifecycle.length - 1] ?? ''));

interface CreditNoteState {
  id: string;
  invoice: string;
  customer: string;
  total: number;
  currency: string;
  created: number;
  effectiveAt: number | null;
  voided: boolean;
}

const creditNotesOf = (w: World): CreditNoteState[] => {
  const invoices = creditable(w);
  return w.creditNotes.map((n, k) => {
    const target = n.dangling ? undefined : invoices[n.invoiceIndex % Math.max(1, invoices.length)];
    const base = target
      ? {
          invoice: stripeInvoiceId(target.i),
          customer: target.s.customer,
          total: target.s.total,
          currency: target.s.currency,
        }
      : { invoice: `in_1SeamNotDelivered${k}`, customer: 'cus_Tb7QmN2xP4LkZa', total: 10_000, currency: 'eur' };
    return {
      id: `cn_1Seam${String(k).padStart(4, '0')}LkdIwHu7ix`,
      ...base,
      total: Math.max(1, Math.floor((base.total * n.percent) / 100)),
      created: n.created,
      effectiveAt: n.effectiveAt,
      voided: n.voided,
    };
  });
};

/** Splits items into consecutive chunks of 1 to `max`. */
const chunks = <T>(items: readonly T[], max: number, random: () => number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(random() * max);
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
};

/** Every webhook the providers send for this world, once each (the test duplicates and shuffles them). */
export const deliveriesOf = (w: World, now: Date, random: () => number): Delivery[] => {
  const out: Delivery[] = [];

  const genericStates = w.generic.flatMap((e) =>
    e.versions.map((v) => ({ type: e.type, id: e.id, version: v.version, deleted: v.deleted, ...v.fields })),
  );
  for (const batch of chunks(shuffle(genericStates, random), 4, random)) out.push(genericEvents(batch, now));

  w.stripeInvoices.forEach((s, i) => {
    const times = stripeTimes(s);
    s.lifecycle.forEach((step, k) => {
      const type = k > 0 && step === 'open' && s.lifecycle[k - 1] === 'open' ? 'invoice.updated' : STRIPE_EVENT[step];
      out.push(stripeInvoiceEvent(type ?? 'invoice.updated', times[k] ?? 0, stripeInvoiceAt(i, s, step, times), now));
    });
  });
  for (const n of creditNotesOf(w)) {
    const note = { ...n, status: 'issued' as const };
    out.push(stripeCreditNoteEvent('credit_note.created', n.created, note, now));
    if (n.voided)
      out.push(stripeCreditNoteEvent('credit_note.voided', n.created + DAY, { ...note, status: 'void' }, now));
  }

  // HubSpot batches mix deals and split each deal's changes over several deliveries, in any order.
  const hubspot = w.hubspot.flatMap((d, i) => hubspotEvents(hubspotId(i), d));
  for (const batch of chunks(shuffle(hubspot, random), 5, random)) out.push(hubspotBatch(batch, now));

  w.pipedrive.forEach((d, i) => {
    for (const s of pipedriveStates(pipedriveId(i), d))
      out.push(pipedriveEvent(s.action, s.deal, new Date(s.timestamp).toISOString(), now));
  });

  w.typeform.forEach((r, i) => {
    const hidden: Record<string, string> = {};
    if (r.customerKey) hidden[r.customerKey] = r.customer;
    if (r.email?.via === 'hidden') hidden.email = r.email.address;
    out.push(
      typeformEvent(
        {
          token: typeformToken(i),
          submittedAt: iso(r.submitted),
          score: r.score,
          comment: r.comment,
          hidden,
          emailAnswer: r.email?.via === 'answer' ? r.email.address : null,
        },
        now,
      ),
    );
  });

  w.delighted.forEach((d, i) => {
    for (const s of delightedUpdates(d)) {
      out.push(
        delightedEvent(
          s.updatedAt === null ? 'survey_response.created' : 'survey_response.updated',
          {
            id: delightedId(i),
            score: s.score,
            comment: s.comment,
            createdAt: d.created,
            updatedAt: s.updatedAt,
            email: d.email,
            personProperties: { Company: 'Fjord & Co', ...(d.customer ? { customer_id: d.customer } : {}) },
          },
          now,
        ),
      );
    }
  });
  return out;
};

// ---------------------------------------------------------------------------------------------------------
// Final states, by the providers' ordering rules (contract 3a), as the reference model's entities

/** The element with the greatest key; later elements win ties. */
const newest = <T>(items: readonly T[], key: (item: T) => readonly number[]): T | undefined =>
  items.reduce<T | undefined>((best, item) => {
    if (best === undefined) return item;
    const a = key(item);
    const b = key(best);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0) ? item : best;
    }
    return item;
  }, undefined);

/** "generic: as in section 2: version"; "any entity type may carry deleted: true". */
const genericFinal = (w: World, type: string) =>
  w.generic
    .filter((e) => e.type === type)
    .map((e) => ({ id: e.id, state: newest(e.versions, (v) => [v.version]) }))
    .filter((e): e is { id: string; state: GenericVersion } => e.state !== undefined && !e.state.deleted)
    .map((e) => ({ id: e.id, ...e.state.fields }) as Record<string, unknown> & { id: string });

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** "stripe invoice: order by status precedence (draft < open < paid, uncollectible < void), not by event time." */
const STRIPE_RANK: Record<StripeStep, number> = { draft: 0, deleted: 0, open: 1, paid: 2, uncollectible: 2, void: 3 };

/** The business the world ends as; `now` is when the pipeline receives the deliveries (it dates generic stages). */
export const businessOf = (w: World, now: Date): Business => {
  const customers: RefCustomer[] = genericFinal(w, 'customer').map((c) => ({
    id: c.id,
    name: text(c.name),
    internal: c.internal === true,
    segment: text(c.segment),
    channel: text(c.channel),
  }));
  const projects: RefProject[] = genericFinal(w, 'project').map((p) => ({
    id: p.id,
    customerId: text(p.customerId),
    status: p.status === 'open' ? 'open' : 'closed',
    internal: p.internal === true,
  }));

  const invoices: RefInvoice[] = genericFinal(w, 'invoice').map((i) => ({
    key: `generic#${i.id}`,
    source: 'generic',
    status: String(i.status),
    number: text(i.number),
    customerId: text(i.customerId),
    date: text(i.invoiceDate),
    total: toMinorUnits(Number(i.total), String(i.currency)),
    currency: String(i.currency),
  }));
  w.stripeInvoices.forEach((s, i) => {
    const times = stripeTimes(s);
    const steps = s.lifecycle.map((step, k) => ({ step, k }));
    const final = newest(steps, ({ step }) => [STRIPE_RANK[step]]);
    if (!final || final.step === 'deleted') return;
    const inv = stripeInvoiceAt(i, s, final.step, times);
    const currency = inv.currency.toUpperCase();
    // "invoice date: effective_at, else status_transitions.finalized_at"; "customer: metadata.crm_customer_id, else customer".
    const date = inv.effectiveAt ?? inv.finalizedAt;
    invoices.push({
      key: `stripe#${inv.id}`,
      source: 'stripe',
      status: inv.status,
      number: inv.number,
      customerId: inv.crmCustomerId ?? inv.customer,
      date: date === null ? null : iso(date),
      // Stripe's minor units are the currency's minor units for the currencies used here (EUR, USD, JPY).
      total: inv.total,
      currency,
    });
  });

  // "stripe credit note: issued < void; dates: effective_at, else created; total subtracts."
  const creditNotes: RefCreditNote[] = creditNotesOf(w).map((n) => ({
    key: `stripe#${n.id}`,
    invoiceKey: `stripe#${n.invoice}`,
    customerId: n.customer,
    status: n.voided ? 'void' : 'issued',
    date: iso(n.effectiveAt ?? n.created),
    total: n.total,
    currency: n.currency.toUpperCase(),
  }));

  const costs = genericFinal(w, 'cost').map((c) => ({
    key: `generic#${c.id}`,
    projectId: text(c.projectId),
    date: String(c.date),
    amount: toMinorUnits(Number(c.amount), String(c.currency)),
    currency: String(c.currency),
  }));

  // Generic deals: each version's stage, dated when the pipeline received it (every delivery here: `now`).
  const genericStages = (id: string) =>
    [...(w.generic.find((e) => e.type === 'deal' && e.id === id)?.versions ?? [])]
      .filter((v) => !v.deleted && text(v.fields.stage) !== null)
      .sort((a, b) => a.version - b.version)
      .map((v) => ({ at: now.getTime(), stage: String(v.fields.stage), open: v.fields.status === 'open' }));
  const deals: RefDeal[] = genericFinal(w, 'deal').map((d) => ({
    key: `generic#${d.id}`,
    stages: genericStages(d.id),
    customerId: text(d.customerId),
    ownerId: text(d.ownerId),
    status: d.status === 'won' ? 'won' : d.status === 'lost' ? 'lost' : 'open',
    amount: d.amount === null ? null : toMinorUnits(Number(d.amount), String(d.currency)),
    currency: d.amount === null ? null : String(d.currency),
    createdAt: text(d.createdAt),
    closedAt: text(d.closedAt),
  }));

  // "hubspot: each property keeps the value with the newest occurredAt; created: createdate, else the
  // deal.creation event's occurredAt; closed: closedate, else the occurredAt of the change into a closed stage."
  w.hubspot.forEach((spec, i) => {
    const events = hubspotEvents(hubspotId(i), spec);
    if (events.some((e) => e.kind === 'deletion')) return;
    const latest = new Map<string, { value: string; at: number }>();
    for (const e of events) {
      if (e.kind !== 'property') continue;
      const seen = latest.get(e.name);
      if (!seen || seen.at < e.occurredAt) latest.set(e.name, { value: e.value, at: e.occurredAt });
    }
    const value = (name: string) => latest.get(name)?.value ?? null;
    const stage = latest.get('dealstage');
    const status = stage?.value === 'closedwon' ? 'won' : stage?.value === 'closedlost' ? 'lost' : 'open';
    const creation = events.find((e) => e.kind === 'creation');
    const createdate = value('createdate');
    const closedate = value('closedate');
    const currency = value('deal_currency_code');
    const amount = value('amount');
    deals.push({
      key: `hubspot#${hubspotId(i)}`,
      stages: events
        .flatMap((e) => (e.kind === 'property' && e.name === 'dealstage' ? [e] : []))
        .sort((a, b) => a.occurredAt - b.occurredAt)
        .map((e) => ({ at: e.occurredAt, stage: e.value, open: e.value !== 'closedwon' && e.value !== 'closedlost' })),
      customerId: value('customer_id'),
      ownerId: value('hubspot_owner_id'),
      status,
      amount: amount === null || currency === null ? null : toMinorUnits(Number(amount), currency),
      currency,
      createdAt: createdate
        ? new Date(Number(createdate)).toISOString()
        : creation
          ? new Date(creation.occurredAt).toISOString()
          : null,
      closedAt:
        status === 'open'
          ? null
          : closedate
            ? new Date(Number(closedate)).toISOString()
            : new Date(stage?.at ?? 0).toISOString(),
    });
  });

  // "pipedrive: order by data.update_time, then meta.timestamp; delete removes; add_time; close: won_time/
  // lost_time, else close_time; customer: org_id as a string."
  w.pipedrive.forEach((spec, i) => {
    const states = pipedriveStates(pipedriveId(i), spec);
    const final = newest(states, (s) => [Date.parse(s.deal.updateTime ?? s.deal.addTime), s.timestamp]);
    if (!final || final.action === 'delete') return;
    const d = final.deal;
    const closed = d.status === 'won' ? d.wonTime : d.status === 'lost' ? d.lostTime : null;
    const ordered = states
      .filter((s) => s.action !== 'delete')
      .sort(
        (a, b) =>
          Date.parse(a.deal.updateTime ?? a.deal.addTime) - Date.parse(b.deal.updateTime ?? b.deal.addTime) ||
          a.timestamp - b.timestamp,
      );
    deals.push({
      key: `pipedrive#${d.id}`,
      stages: ordered.map((s) => ({ at: s.timestamp, stage: String(s.deal.stageId), open: s.deal.status === 'open' })),
      customerId: d.orgId === null ? null : String(d.orgId),
      ownerId: String(d.ownerId),
      status: d.status,
      amount: d.value === null ? null : toMinorUnits(d.value, d.currency),
      currency: d.value === null ? null : d.currency,
      createdAt: new Date(d.addTime).toISOString(),
      closedAt: d.status === 'open' ? null : new Date(closed ?? d.closeTime ?? '').toISOString(),
    });
  });

  const responses: RefResponse[] = genericFinal(w, 'survey_response').map((r) => ({
    source: 'generic',
    id: r.id,
    score: Number(r.score),
    submittedAt: String(r.submittedAt),
    customerId: text(r.customerId),
    comment: text(r.comment),
    email: text(r.email),
    segment: text(r.segment),
    channel: text(r.channel),
  }));
  // "typeform: one state per token; customer: hidden field customer_id or account_id; email: hidden email or
  // the email answer; comment: the first long-text answer."
  w.typeform.forEach((r, i) => {
    responses.push({
      source: 'typeform',
      id: typeformToken(i),
      score: r.score,
      submittedAt: iso(r.submitted),
      customerId: r.customerKey ? r.customer : null,
      comment: r.comment,
      email: r.email?.address ?? null,
      segment: null,
      channel: null,
    });
  });
  // "delighted: order by updated_at, else created_at; submitted: created_at; customer:
  // person_properties.customer_id."
  w.delighted.forEach((d, i) => {
    const final = newest(delightedUpdates(d), (s) => [s.updatedAt ?? d.created]);
    if (!final) return;
    responses.push({
      source: 'delighted',
      id: delightedId(i),
      score: final.score,
      submittedAt: iso(d.created),
      customerId: d.customer,
      comment: final.comment,
      email: d.email,
      segment: null,
      channel: null,
    });
  });

  const spends: RefSpend[] = genericFinal(w, 'spend').map((x) => ({
    key: `generic#${x.id}`,
    date: String(x.date),
    amount: toMinorUnits(Number(x.amount), String(x.currency)),
    currency: String(x.currency),
    channel: text(x.channel),
    campaign: text(x.campaign),
  }));

  return { customers, projects, invoices, creditNotes, costs, deals, responses, spends };
};

/** Every owner id any state of the world names, including owners a deal moved away from. */
export const ownersOf = (w: World): string[] =>
  [
    ...new Set([
      ...w.generic.flatMap((e) => (e.type === 'deal' ? e.versions.map((v) => text(v.fields.ownerId)) : [])),
      ...w.hubspot.flatMap((d) => [
        d.owner,
        ...d.changes.flatMap((c) => (c.change.property === 'hubspot_owner_id' ? [c.change.value] : [])),
      ]),
      ...w.pipedrive.flatMap((d) => [d.owner, ...d.changes.map((c) => c.owner)].map(String)),
    ]),
  ].filter((o): o is string => o !== null);

/** How many entities the world describes. */
export const entityCount = (w: World): number =>
  w.generic.length +
  w.stripeInvoices.length +
  w.creditNotes.length +
  w.hubspot.length +
  w.pipedrive.length +
  w.typeform.length +
  w.delighted.length;
