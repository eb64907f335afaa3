import { createServer, type Server } from 'node:http';
import { fixtureText } from './fixtures.js';
import { listenLocally } from './http.js';
import {
  type DelightedResponse,
  delightedEvent,
  type PipedriveDeal,
  pipedriveEvent,
  type StripeCreditNote,
  type StripeInvoice,
  stripeCreditNoteEvent,
  stripeInvoiceEvent,
  type TypeformResponse,
  typeformEvent,
} from './provider-payloads.js';

/**
 * Provider list APIs for backfill tests: a local HTTP server per provider, on a free port, serving pages in
 * the provider's documented list shape. The objects in them are built from ../shared's webhook fixtures (a
 * webhook's object is the API's object), so a backfill test reads what the provider would serve.
 */

type Json = Record<string, unknown>;
type Query = URLSearchParams;

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface SeenRequest {
  path: string;
  query: Query;
  headers: Record<string, string | string[] | undefined>;
}

export interface ProviderApi {
  base: string;
  requests: SeenRequest[];
  /** Answers to give before the routes' own, once each, for requests `match` selects (a 429, a 500). */
  failNext(match: (request: SeenRequest) => boolean, answer: Answer): void;
  stop(): Promise<void>;
}

export const startProviderApi = async (route: (path: string, query: Query) => Answer): Promise<ProviderApi> => {
  const requests: SeenRequest[] = [];
  const faults: { match: (r: SeenRequest) => boolean; answer: Answer }[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://provider.test');
    const seen = { path: url.pathname, query: url.searchParams, headers: request.headers };
    requests.push(seen);
    const fault = faults.findIndex((f) => f.match(seen));
    const answer =
      fault >= 0
        ? (faults.splice(fault, 1)[0] as (typeof faults)[number]).answer
        : route(url.pathname, url.searchParams);
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  });
  const { url, stop } = await listenLocally(server);
  return { base: url, requests, failNext: (match, answer) => faults.push({ match, answer }), stop };
};

const notFound = (path: string): Answer => ({ status: 404, body: { error: `no route ${path}` } });
const parsed = (body: string) => JSON.parse(body) as Json;
const NOW = new Date();

// ---------------------------------------------------------------------------------------------------------
// Stripe: {object: "list", url, has_more, data}, paged by starting_after (the server serves `pageSize` a page)

/** `created`: epoch seconds the invoice was created (`created[gte]` filters on it). */
export const stripeInvoiceObject = (invoice: StripeInvoice, created: number): Json =>
  (parsed(stripeInvoiceEvent('invoice.updated', created, invoice, NOW).body).data as Json).object as Json;
export const stripeCreditNoteObject = (note: StripeCreditNote): Json =>
  (parsed(stripeCreditNoteEvent('credit_note.updated', 0, note, NOW).body).data as Json).object as Json;

const stripePage = (url: string, all: readonly Json[], query: Query, pageSize: number): Answer => {
  const after = query.get('starting_after');
  const gte = query.get('created[gte]');
  const listed = all.filter((o) => gte === null || Number(o.created) >= Number(gte));
  const start = after === null ? 0 : listed.findIndex((o) => o.id === after) + 1;
  const data = listed.slice(start, start + pageSize);
  return { body: { object: 'list', url, has_more: start + pageSize < listed.length, data } };
};

/** Whether an event's type is selected by `type`, which may end in Stripe's `.*` wildcard. */
const stripeTypeMatches = (type: unknown, selector: string | null): boolean =>
  selector === null || (selector.endsWith('.*') ? String(type).startsWith(selector.slice(0, -1)) : type === selector);

/** `events`: Event objects (webhook bodies), served by `GET /v1/events` filtered by `type` and `created[gte]`. */
export const stripeApiServer = (data: { invoices: Json[]; creditNotes: Json[]; events?: Json[] }, pageSize = 2) =>
  startProviderApi((path, query) => {
    if (path === '/v1/invoices') return stripePage(path, data.invoices, query, pageSize);
    if (path === '/v1/credit_notes') return stripePage(path, data.creditNotes, query, pageSize);
    if (path === '/v1/events') {
      const events = (data.events ?? []).filter((e) => stripeTypeMatches(e.type, query.get('type')));
      return stripePage(path, events, query, pageSize);
    }
    return notFound(path);
  });

// ---------------------------------------------------------------------------------------------------------
// HubSpot: {results: [{id, properties, propertiesWithHistory, createdAt, updatedAt, archived}], paging.next.after}

export interface HubspotApiDeal {
  id: string;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
  /** Per property, its values with the time HubSpot recorded each. */
  history: Record<string, { value: string; timestamp: number }[]>;
}

/** A deal as the CRM API lists it; the history entries take their shape from the fixture's property changes. */
export const hubspotDealObject = (deal: HubspotApiDeal): Json => {
  const [, change] = JSON.parse(fixtureText('hubspot/deal.propertyChange.batch.json')) as [Json, Json];
  const entry = (value: string, timestamp: number) => ({
    value,
    timestamp: new Date(timestamp).toISOString(),
    sourceType: change.changeSource,
    sourceId: change.sourceId,
  });
  const withHistory = Object.fromEntries(
    Object.entries(deal.history).map(([name, values]) => [
      name,
      [...values].sort((a, b) => b.timestamp - a.timestamp).map((v) => entry(v.value, v.timestamp)),
    ]),
  );
  return {
    id: deal.id,
    properties: Object.fromEntries(Object.entries(withHistory).map(([name, values]) => [name, values[0]?.value])),
    propertiesWithHistory: withHistory,
    createdAt: new Date(deal.createdAt).toISOString(),
    updatedAt: new Date(deal.updatedAt).toISOString(),
    archived: deal.archivedAt !== undefined,
    ...(deal.archivedAt === undefined ? {} : { archivedAt: new Date(deal.archivedAt).toISOString() }),
  };
};

/** A deal pipeline as `GET /crm/v3/pipelines/deals` lists it, its stages in order. */
export const hubspotPipelineObject = (id: string, label: string, stages: [id: string, label: string][]): Json => ({
  id,
  label,
  displayOrder: 0,
  archived: false,
  createdAt: '2025-01-06T09:00:00.000Z',
  updatedAt: '2026-02-02T09:00:00.000Z',
  stages: stages.map(([stageId, stageLabel], displayOrder) => ({
    id: stageId,
    label: stageLabel,
    displayOrder,
    metadata: { isClosed: String(stageId.startsWith('closed')), probability: '0.2' },
    archived: false,
    createdAt: '2025-01-06T09:00:00.000Z',
    updatedAt: '2026-02-02T09:00:00.000Z',
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  })),
});

export const hubspotApiServer = (deals: { live: Json[]; archived: Json[]; pipelines?: Json[] }, pageSize = 2) =>
  startProviderApi((path, query) => {
    if (path === '/crm/v3/pipelines/deals') return { body: { results: deals.pipelines ?? [] } };
    if (path !== '/crm/v3/objects/deals') return notFound(path);
    const all = query.get('archived') === 'true' ? deals.archived : deals.live;
    const start = Number(query.get('after') ?? 0);
    const results = all.slice(start, start + pageSize);
    const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
    return {
      body: {
        results,
        ...(next
          ? { paging: { next: { after: next, link: `https://api.hubapi.com/crm/v3/objects/deals?after=${next}` } } }
          : {}),
      },
    };
  });

// ---------------------------------------------------------------------------------------------------------
// Pipedrive v2: {success: true, data: [...], additional_data: {next_cursor}}

export const pipedriveDealObject = (deal: PipedriveDeal): Json =>
  parsed(pipedriveEvent('change', deal, deal.updateTime ?? deal.addTime, NOW).body).data as Json;

/** A stage as `GET /api/v2/stages` lists it. */
export const pipedriveStageObject = (id: number, name: string, pipelineId = 1): Json => ({
  id,
  order_nr: id,
  name,
  is_deleted: false,
  deal_probability: 100,
  pipeline_id: pipelineId,
  is_deal_rot_enabled: false,
  days_to_rotten: null,
  add_time: '2025-01-06T09:00:00Z',
  update_time: '2026-02-02T09:00:00Z',
});

export const pipedriveApiServer = (deals: { live: Json[]; deleted: Json[]; stages?: Json[] }, pageSize = 2) =>
  startProviderApi((path, query) => {
    const page = (listed: readonly Json[]): Answer => {
      const start = query.get('cursor') === null ? 0 : Number(Buffer.from(query.get('cursor') ?? '', 'base64url'));
      const next =
        start + pageSize < listed.length ? Buffer.from(String(start + pageSize)).toString('base64url') : null;
      return {
        body: { success: true, data: listed.slice(start, start + pageSize), additional_data: { next_cursor: next } },
      };
    };
    if (path === '/api/v2/stages') return page(deals.stages ?? []);
    if (path !== '/api/v2/deals') return notFound(path);
    const all = query.get('status') === 'deleted' ? deals.deleted : deals.live;
    const since = query.get('updated_since');
    return page(all.filter((d) => since === null || Date.parse(String(d.update_time)) >= Date.parse(since)));
  });

// ---------------------------------------------------------------------------------------------------------
// Typeform: {total_items, page_count, items}, newest first, paged by `before` (a token)

/** A response as the Responses API lists it: the webhook's form_response without form_id and definition. */
export const typeformResponseItem = (r: TypeformResponse): Json => {
  const { form_id: _form, definition: _definition, ...item } = parsed(typeformEvent(r, NOW).body).form_response as Json;
  return { ...item, response_id: r.token, metadata: { platform: 'other', referer: 'https://example.typeform.com' } };
};

export const typeformApiServer = (forms: Record<string, Json[]>, pageSize = 2) =>
  startProviderApi((path, query) => {
    const formId = /^\/forms\/([^/]+)\/responses$/.exec(path)?.[1];
    const responses = formId === undefined ? undefined : forms[formId];
    if (!responses) return notFound(path);
    const newestFirst = [...responses].sort((a, b) => String(b.submitted_at).localeCompare(String(a.submitted_at)));
    const before = query.get('before');
    const start = before === null ? 0 : newestFirst.findIndex((r) => r.token === before) + 1;
    const matching = newestFirst.slice(start);
    const size = Math.min(pageSize, Number(query.get('page_size') ?? 25));
    return {
      body: {
        total_items: matching.length,
        page_count: Math.ceil(matching.length / size),
        items: matching.slice(0, size),
      },
    };
  });

// ---------------------------------------------------------------------------------------------------------
// Delighted: a JSON array, oldest first, paged by page/per_page

/** A response as the list API serves it with expand[]=person: the webhook's event_data. */
export const delightedResponseObject = (r: DelightedResponse): Json =>
  parsed(delightedEvent(r.updatedAt === null ? 'survey_response.created' : 'survey_response.updated', r, NOW).body)
    .event_data as Json;

export const delightedApiServer = (responses: Json[]) =>
  startProviderApi((path, query) => {
    if (path !== '/v1/survey_responses.json') return notFound(path);
    const perPage = Number(query.get('per_page') ?? 20);
    const page = Number(query.get('page') ?? 1);
    const since = query.get('since');
    const updatedSince = query.get('updated_since');
    const listed = responses.filter(
      (r) =>
        (since === null || Number(r.created_at) >= Number(since)) &&
        (updatedSince === null || (r.updated_at !== null && Number(r.updated_at) >= Number(updatedSince))),
    );
    return { body: listed.slice((page - 1) * perPage, page * perPage) };
  });
