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
import { delightedResponseEvent } from './delighted.js';

/**
 * Delighted's history: `GET /v1/survey_responses.json` (oldest first, 100 a page: `per_page`, with
 * `expand[]=person` for the contact's e-mail), paged by `page` until a short page. With `--since`, two
 * reads: responses created since the day (`since`) and responses updated since it (`updated_since`), as
 * Delighted leaves `updated_at` empty on a response never edited. The webhook's `event_data` is this very
 * object, so one mapping serves both, ordered by `updated_at`, else `created_at`.
 */

const PATH = '/v1/survey_responses.json';
const PAGE_SIZE = 100;

const responseList = (
  options: HistoryClientOptions,
  filter: Record<string, string | undefined>,
): HistoryList<number> => {
  const access = accessOf(delightedApi, options, (key) => ({
    authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
  }));
  const now = options.now ?? (() => new Date());
  return {
    first: 1,
    async read(page) {
      const { deliveryId } = historyContext('delighted', options, now());
      const items = parseWith(
        z.array(z.unknown()),
        await getJson(access, PATH, {
          per_page: String(PAGE_SIZE),
          page: String(page),
          'expand[]': 'person',
          ...filter,
        }),
        [PATH],
      );
      const events = items.flatMap((item, i) => delightedResponseEvent(item, [PATH, i], deliveryId) ?? []);
      return { events, items: items.length, next: items.length === PAGE_SIZE ? page + 1 : undefined };
    },
  };
};

export const delightedApi: HistorySource = {
  source: 'delighted',
  credentialVariable: 'DELIGHTED_API_KEY',
  baseVariable: 'DELIGHTED_API_BASE',
  defaultBase: 'https://api.delighted.com',
  client: (options) => {
    const since = sinceSeconds(options.since);
    const lists =
      since === undefined
        ? [responseList(options, {})]
        : [responseList(options, { since: String(since) }), responseList(options, { updated_since: String(since) })];
    return listsClient('delighted', lists as HistoryList<unknown>[]);
  },
};
