import { builtOnce, type CanonicalEvent } from '@flash/core';
import * as z from 'zod';
import {
  accessOf,
  getJson,
  type HistoryClientOptions,
  type HistoryList,
  type HistorySource,
  historyContext,
  listsClient,
  sinceSeconds,
} from '../api.js';
import type { ParseContext } from '../connector.js';
import { parseWith } from '../payload.js';
import { stripeCreditNoteEvent, stripeEventToCanonical, stripeInvoiceEvent } from './stripe.js';

/**
 * Stripe's history: `GET /v1/invoices`, then `GET /v1/credit_notes`, 100 objects a page (`limit`), paged by
 * `starting_after` = the last object's id while `has_more`; `--since` is `created[gte]`. Each object is
 * mapped by the webhook connector's own function (a webhook's `data.object` is this very object), with the
 * time of reading as the tie-breaker of its status rank: the state read wins over any delivery of the same
 * status made before it, and loses to a higher status or a later delivery.
 *
 * `created[gte]` selects objects created since, so a list alone would never see an older invoice voided
 * yesterday. With `--since` (the nightly sweep) the client also reads `GET /v1/events` of types `invoice.*`
 * and `credit_note.*` created since: the very Event objects webhooks deliver, kept by Stripe for 30 days,
 * mapped by the webhook's own function, so a change whose webhook was lost is healed and one that arrived
 * is a duplicate. A change older than 30 days that never arrived needs a run without `--since`.
 */

const PAGE_SIZE = '100';

/** Stripe's list answers, built on the first page read (a backfill of another source never builds them). */
const schemas = builtOnce(() => {
  const list = z.object({
    object: z.literal('list'),
    data: z.array(z.object({ id: z.string().min(1) }).passthrough()),
    has_more: z.boolean(),
  });

  return { list };
});

/** One Stripe list (`path`, with `query`), each item mapped to a canonical event or skipped. */
const stripeList = (
  options: HistoryClientOptions,
  path: string,
  query: Record<string, string | undefined>,
  toEvent: (
    item: unknown,
    where: readonly PropertyKey[],
    fetchedAt: Date,
    ctx: ParseContext,
  ) => CanonicalEvent | undefined,
): HistoryList<string | null> => {
  const access = accessOf(stripeApi, options, (key) => ({ authorization: `Bearer ${key}` }));
  const since = sinceSeconds(options.since);
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read(startingAfter) {
      const fetchedAt = now();
      const ctx = historyContext('stripe', options, fetchedAt);
      const body = parseWith(
        schemas().list,
        await getJson(access, path, {
          ...query,
          limit: PAGE_SIZE,
          starting_after: startingAfter ?? undefined,
          'created[gte]': since === undefined ? undefined : String(since),
        }),
        [path],
      );
      const events = body.data.flatMap((item, i) => toEvent(item, [path, 'data', i], fetchedAt, ctx) ?? []);
      const last = body.data.at(-1)?.id;
      return { events, items: body.data.length, next: body.has_more && last ? last : undefined };
    },
  };
};

/** Invoices or credit notes as they are now, read at `fetchedAt`. */
const objectList = (
  options: HistoryClientOptions,
  path: string,
  toEvent: typeof stripeInvoiceEvent | typeof stripeCreditNoteEvent,
) =>
  stripeList(options, path, {}, (object, where, fetchedAt, ctx) =>
    toEvent(object, { created: Math.floor(fetchedAt.getTime() / 1000), deliveryId: ctx.deliveryId, where }),
  );

/** The changes of one event family (`invoice.*`), each as its webhook would have delivered it. */
const eventList = (options: HistoryClientOptions, type: string) =>
  stripeList(options, '/v1/events', { type }, (event, where, _fetchedAt, ctx) =>
    stripeEventToCanonical(event, ctx.deliveryId, where),
  );

export const stripeApi: HistorySource = {
  source: 'stripe',
  credentialVariable: 'STRIPE_API_KEY',
  baseVariable: 'STRIPE_API_BASE',
  defaultBase: 'https://api.stripe.com',
  client: (options) =>
    listsClient('stripe', [
      objectList(options, '/v1/invoices', stripeInvoiceEvent),
      objectList(options, '/v1/credit_notes', stripeCreditNoteEvent),
      ...(options.since === undefined ? [] : [eventList(options, 'invoice.*'), eventList(options, 'credit_note.*')]),
    ] as HistoryList<unknown>[]),
};
