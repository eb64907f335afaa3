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
import { parseWith } from '../payload.js';
import { type StripeSighting, stripeCreditNoteEvent, stripeInvoiceEvent } from './stripe.js';

/**
 * Stripe's history: `GET /v1/invoices`, then `GET /v1/credit_notes`, 100 objects a page (`limit`), paged by
 * `starting_after` = the last object's id while `has_more`; `--since` is `created[gte]`. Each object is
 * mapped by the webhook connector's own function (a webhook's `data.object` is this very object), with the
 * time of reading as the tie-breaker of its status rank: the state read wins over any delivery of the same
 * status made before it, and loses to a higher status or a later delivery.
 */

const PAGE_SIZE = '100';

const list = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string().min(1) }).passthrough()),
  has_more: z.boolean(),
});

const stripeList = (
  options: HistoryClientOptions,
  path: string,
  toEvent: (
    object: unknown,
    seen: StripeSighting,
  ) => ReturnType<typeof stripeInvoiceEvent | typeof stripeCreditNoteEvent>,
): HistoryList<string | null> => {
  const access = accessOf(stripeApi, options, (key) => ({ authorization: `Bearer ${key}` }));
  const since = sinceSeconds(options.since);
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read(startingAfter) {
      const fetchedAt = now();
      const body = parseWith(
        list,
        await getJson(access, path, {
          limit: PAGE_SIZE,
          starting_after: startingAfter ?? undefined,
          'created[gte]': since === undefined ? undefined : String(since),
        }),
        [path],
      );
      const { deliveryId } = historyContext('stripe', options, fetchedAt);
      const created = Math.floor(fetchedAt.getTime() / 1000);
      const events = body.data.map((object, i) => toEvent(object, { created, deliveryId, where: [path, 'data', i] }));
      const last = body.data.at(-1)?.id;
      return { events, items: body.data.length, next: body.has_more && last ? last : undefined };
    },
  };
};

export const stripeApi: HistorySource = {
  source: 'stripe',
  credentialVariable: 'STRIPE_API_KEY',
  baseVariable: 'STRIPE_API_BASE',
  defaultBase: 'https://api.stripe.com',
  client: (options) =>
    listsClient('stripe', [
      stripeList(options, '/v1/invoices', stripeInvoiceEvent),
      stripeList(options, '/v1/credit_notes', stripeCreditNoteEvent),
    ] as HistoryList<unknown>[]),
};
