import { createHmac } from 'node:crypto';
import { fixtureText } from './fixtures.js';

/**
 * Real provider webhooks for tests that cross every seam: each body is a fixture of ../shared (a captured or
 * documented delivery) with only the business fields replaced, and each is signed the way the provider
 * signs it, with node:crypto (independent of the connectors' code).
 */

/** The signing secrets the ingest handler is configured with, by the variable the connector names. */
export const SEAM_SECRETS: Readonly<Record<string, string>> = {
  WEBHOOK_SECRET_STRIPE: 'whsec_seam_test_5f2b8c1e',
  WEBHOOK_SECRET_HUBSPOT: 'hs_seam_client_secret_0b7f',
  PIPEDRIVE_BASIC_AUTH: 'pd_hook_user:pd_hook_pass',
  WEBHOOK_SECRET_TYPEFORM: 'tf_seam_secret_6a2e',
  WEBHOOK_SECRET_DELIGHTED: 'dl_seam_api_key_7b1c',
  WEBHOOK_SECRET_GENERIC: 'generic_seam_secret',
};

/** The public URL in front of the ingest handler (HubSpot signs it). */
export const PUBLIC_BASE_URL = 'https://hooks.example.com';

export interface Delivery {
  source: string;
  body: string;
  headers: Record<string, string>;
  /** What the delivery carries, for failure messages. */
  label: string;
}

type Json = Record<string, unknown>;
const fixture = (path: string): Json => JSON.parse(fixtureText(path)) as Json;
const objectAt = (value: Json, key: string): Json => value[key] as Json;
const secret = (name: string): string => SEAM_SECRETS[name] ?? '';

let counter = 0;
/** Unique, readable ids for event and delivery ids. */
const nextId = (prefix: string) => `${prefix}${(++counter).toString(36).padStart(8, '0')}`;

const hmac = (key: string, data: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', key).update(data, 'utf8').digest(encoding);

/** Headers as the provider sends them for `body`, signed at `now` where the scheme has a timestamp. */
export const signedHeaders = (
  source: string,
  body: string,
  now: Date,
  { url = `${PUBLIC_BASE_URL}/webhooks/${source}` }: { url?: string } = {},
): Record<string, string> => {
  const json = { 'content-type': 'application/json' };
  switch (source) {
    case 'stripe': {
      const t = Math.floor(now.getTime() / 1000);
      return {
        ...json,
        'Stripe-Signature': `t=${t},v1=${hmac(secret('WEBHOOK_SECRET_STRIPE'), `${t}.${body}`, 'hex')}`,
      };
    }
    case 'hubspot': {
      const ts = String(now.getTime());
      return {
        ...json,
        'X-HubSpot-Signature-v3': hmac(secret('WEBHOOK_SECRET_HUBSPOT'), `POST${url}${body}${ts}`, 'base64'),
        'X-HubSpot-Request-Timestamp': ts,
      };
    }
    case 'pipedrive':
      return { ...json, Authorization: `Basic ${Buffer.from(secret('PIPEDRIVE_BASIC_AUTH')).toString('base64')}` };
    case 'typeform':
      return { ...json, 'Typeform-Signature': `sha256=${hmac(secret('WEBHOOK_SECRET_TYPEFORM'), body, 'base64')}` };
    case 'delighted':
      return {
        ...json,
        'X-Delighted-Webhook-Signature': `sha256=${hmac(secret('WEBHOOK_SECRET_DELIGHTED'), body, 'hex')}`,
      };
    case 'generic':
      return { ...json, 'X-Signature': `sha256=${hmac(secret('WEBHOOK_SECRET_GENERIC'), body, 'hex')}` };
    default:
      throw new Error(`no signing scheme for ${source}`);
  }
};

const delivery = (source: string, payload: unknown, now: Date, label: string, url?: string): Delivery => {
  const body = JSON.stringify(payload);
  return { source, body, headers: signedHeaders(source, body, now, url ? { url } : {}), label };
};

/** A fixture delivered as it is, signed for its source. */
export const fixtureDelivery = (source: string, relative: string, now: Date): Delivery =>
  delivery(source, fixture(relative), now, relative);

// ---------------------------------------------------------------------------------------------------------
// Stripe: one event per delivery; invoice.* from invoice.finalized.json, credit_note.* from credit_note.created.json

export type StripeInvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface StripeInvoice {
  id: string;
  status: StripeInvoiceStatus;
  /** Stripe's customer (`cus_…`). */
  customer: string;
  /** `metadata.crm_customer_id`, the CRM's customer id, when the integration sets it. */
  crmCustomerId: string | null;
  number: string | null;
  /** Minor units as Stripe counts them. */
  total: number;
  /** Lower-case, as Stripe sends it. */
  currency: string;
  effectiveAt: number | null;
  finalizedAt: number | null;
  paidAt?: number | null;
  voidedAt?: number | null;
  uncollectibleAt?: number | null;
}

export const stripeInvoiceEvent = (type: string, created: number, invoice: StripeInvoice, now: Date): Delivery => {
  const event = fixture('stripe/invoice.finalized.json');
  const o = objectAt(objectAt(event, 'data'), 'object');
  const lines = objectAt(o, 'lines');
  const line = (lines.data as Json[])[0] as Json;
  const paid = invoice.status === 'paid';
  const draft = invoice.status === 'draft';
  Object.assign(line, { amount: invoice.total, currency: invoice.currency, invoice: invoice.id });
  Object.assign(o, {
    id: invoice.id,
    status: invoice.status,
    customer: invoice.customer,
    metadata: {
      ...(o.metadata as Json),
      ...(invoice.crmCustomerId === null ? {} : { crm_customer_id: invoice.crmCustomerId }),
    },
    number: invoice.number,
    currency: invoice.currency,
    total: invoice.total,
    total_excluding_tax: invoice.total,
    subtotal: invoice.total,
    subtotal_excluding_tax: invoice.total,
    amount_due: invoice.total,
    amount_paid: paid ? invoice.total : 0,
    amount_remaining: paid ? 0 : invoice.total,
    effective_at: invoice.effectiveAt,
    created: Math.min(created, invoice.finalizedAt ?? created),
    hosted_invoice_url: draft ? null : o.hosted_invoice_url,
    invoice_pdf: draft ? null : o.invoice_pdf,
    webhooks_delivered_at: created,
    status_transitions: {
      finalized_at: invoice.finalizedAt,
      marked_uncollectible_at: invoice.uncollectibleAt ?? null,
      paid_at: invoice.paidAt ?? null,
      voided_at: invoice.voidedAt ?? null,
    },
    lines: { ...lines, url: `/v1/invoices/${invoice.id}/lines` },
  });
  Object.assign(event, { id: nextId('evt_'), created, type });
  return delivery('stripe', event, now, `stripe ${type} ${invoice.id}`);
};

export interface StripeCreditNote {
  id: string;
  invoice: string;
  customer: string;
  status: 'issued' | 'void';
  total: number;
  currency: string;
  created: number;
  effectiveAt: number | null;
}

export const stripeCreditNoteEvent = (type: string, eventCreated: number, note: StripeCreditNote, now: Date) => {
  const event = fixture('stripe/credit_note.created.json');
  const o = objectAt(objectAt(event, 'data'), 'object');
  const lines = objectAt(o, 'lines');
  const line = (lines.data as Json[])[0] as Json;
  Object.assign(line, { amount: note.total });
  Object.assign(o, {
    id: note.id,
    invoice: note.invoice,
    customer: note.customer,
    status: note.status,
    amount: note.total,
    subtotal: note.total,
    subtotal_excluding_tax: note.total,
    total: note.total,
    total_excluding_tax: note.total,
    post_payment_amount: note.total,
    currency: note.currency,
    created: note.created,
    effective_at: note.effectiveAt,
    voided_at: note.status === 'void' ? eventCreated : null,
    lines: { ...lines, url: `/v1/credit_notes/${note.id}/lines` },
  });
  Object.assign(event, { id: nextId('evt_'), created: eventCreated, type });
  return delivery('stripe', event, now, `stripe ${type} ${note.id}`);
};

// ---------------------------------------------------------------------------------------------------------
// HubSpot: a JSON array of CRM events, from deal.propertyChange.batch.json and deal.deletion.json

export type HubspotEvent =
  | { kind: 'creation' | 'deletion'; objectId: number; occurredAt: number }
  | { kind: 'property'; objectId: number; occurredAt: number; name: string; value: string };

/** `url`: the URL HubSpot posts to, which it signs (default: PUBLIC_BASE_URL's). */
export const hubspotBatch = (events: readonly HubspotEvent[], now: Date, url?: string): Delivery => {
  const [creation, change] = fixture('hubspot/deal.propertyChange.batch.json') as unknown as [Json, Json];
  const [deletion] = fixture('hubspot/deal.deletion.json') as unknown as [Json];
  const body = events.map((e) => {
    const common = { eventId: Number.parseInt(nextId(''), 36) + 1_030_000_000, objectId: e.objectId };
    if (e.kind !== 'property')
      return { ...(e.kind === 'creation' ? creation : deletion), ...common, occurredAt: e.occurredAt };
    return { ...change, ...common, occurredAt: e.occurredAt, propertyName: e.name, propertyValue: e.value };
  });
  const what = events.map((e) =>
    e.kind === 'property' ? `${e.objectId}.${e.name}=${e.value}` : `${e.objectId} ${e.kind}`,
  );
  return delivery('hubspot', body, now, `hubspot [${what.join(', ')}]`, url);
};

// ---------------------------------------------------------------------------------------------------------
// Pipedrive webhooks v2: {meta, data, previous}, from create.deal.json, change.deal.json and delete.deal.json

/** `YYYY-MM-DDTHH:MM:SSZ`, Pipedrive's second-precision times. */
export const pipedriveTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export interface PipedriveDeal {
  id: number;
  status: 'open' | 'won' | 'lost';
  value: number | null;
  currency: string;
  orgId: number | null;
  ownerId: number;
  stageId: number;
  addTime: string;
  updateTime: string | null;
  wonTime: string | null;
  lostTime: string | null;
  closeTime: string | null;
}

export const pipedriveEvent = (
  action: 'create' | 'change' | 'delete',
  deal: PipedriveDeal,
  timestamp: string,
  now: Date,
): Delivery => {
  const file = { create: 'create.deal.json', change: 'change.deal.json', delete: 'delete.deal.json' }[action];
  const event = fixture(`pipedrive/${file}`);
  const template = (action === 'delete' ? event.previous : event.data) as Json;
  const data = {
    ...template,
    id: deal.id,
    status: deal.status,
    value: deal.value,
    currency: deal.currency,
    org_id: deal.orgId,
    owner_id: deal.ownerId,
    creator_user_id: deal.ownerId,
    stage_id: deal.stageId,
    add_time: deal.addTime,
    update_time: deal.updateTime,
    stage_change_time: deal.updateTime,
    won_time: deal.wonTime,
    first_won_time: deal.wonTime,
    lost_time: deal.lostTime,
    close_time: deal.closeTime,
    lost_reason: deal.status === 'lost' ? 'Price' : null,
    title: `Deal ${deal.id}`,
  };
  Object.assign(event, {
    data: action === 'delete' ? null : data,
    previous: action === 'delete' ? data : action === 'create' ? null : { status: 'open' },
    meta: {
      ...(event.meta as Json),
      entity_id: String(deal.id),
      id: nextId('pd-'),
      correlation_id: nextId('corr-'),
      user_id: String(deal.ownerId),
      timestamp,
    },
  });
  return delivery(
    'pipedrive',
    event,
    now,
    `pipedrive ${action} ${deal.id} ${deal.status}@${deal.updateTime ?? deal.addTime}`,
  );
};

// ---------------------------------------------------------------------------------------------------------
// Typeform: form_response.nps.json

export interface TypeformResponse {
  token: string;
  submittedAt: string;
  score: number;
  comment: string | null;
  hidden: Record<string, string>;
  /** The answer to the email question, when the respondent gave one. */
  emailAnswer: string | null;
}

export const typeformEvent = (r: TypeformResponse, now: Date): Delivery => {
  const event = fixture('typeform/form_response.nps.json');
  const response = objectAt(event, 'form_response');
  const [nps, scale, reason, email] = response.answers as [Json, Json, Json, Json];
  const answers = [
    { ...nps, number: r.score },
    scale,
    ...(r.comment === null ? [] : [{ ...reason, text: r.comment }]),
    ...(r.emailAnswer === null ? [] : [{ ...email, email: r.emailAnswer }]),
  ];
  Object.assign(response, {
    token: r.token,
    response_url: `https://admin.typeform.com/form/u6nXL7/results?responseId=${r.token}#responses`,
    landed_at: new Date(Date.parse(r.submittedAt) - 104_000).toISOString().replace('.000Z', 'Z'),
    submitted_at: r.submittedAt,
    hidden: r.hidden,
    answers,
  });
  Object.assign(event, { event_id: nextId('01JPZ7Q4M8V2K6T3') });
  return delivery('typeform', event, now, `typeform ${r.token} score ${r.score}`);
};

// ---------------------------------------------------------------------------------------------------------
// Delighted: survey_response.created.json and survey_response.updated.json

export interface DelightedResponse {
  id: string;
  score: number;
  comment: string | null;
  createdAt: number;
  updatedAt: number | null;
  email: string | null;
  personProperties: Record<string, string>;
}

export const delightedEvent = (
  type: 'survey_response.created' | 'survey_response.updated',
  r: DelightedResponse,
  now: Date,
): Delivery => {
  const event = fixture(
    `delighted/${type === 'survey_response.created' ? 'survey_response.created' : 'survey_response.updated'}.json`,
  );
  const data = objectAt(event, 'event_data');
  Object.assign(data, {
    id: r.id,
    score: r.score,
    comment: r.comment,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    person: { ...objectAt(data, 'person'), email: r.email },
    person_properties: r.personProperties,
  });
  Object.assign(event, { event_id: nextId('dl') });
  return delivery('delighted', event, now, `delighted ${type} ${r.id} score ${r.score}@${r.updatedAt ?? r.createdAt}`);
};

// ---------------------------------------------------------------------------------------------------------
// Generic: {"events": [...]} signed with X-Signature

export const genericEvents = (events: readonly Json[], now: Date): Delivery =>
  delivery(
    'generic',
    { events },
    now,
    `generic [${events.map((e) => `${String(e.type)} ${String(e.id)} v${String(e.version)}`).join(', ')}]`,
  );
