import { builtOnce } from '@flash/core';
import * as z from 'zod';
import {
  accessOf,
  getJson,
  type HistoryClientOptions,
  type HistoryList,
  type HistorySource,
  historyContext,
  listsClient,
} from '../api.js';
import { parseWith } from '../payload.js';
import { typeformResponseEvent } from './typeform.js';

/**
 * Typeform's history: for each form in `TYPEFORM_FORM_IDS`, `GET /forms/{id}/responses` (completed
 * responses, newest first, 1,000 a page: `page_size`), paged by `before` = the last response's token;
 * `--since` is `since`. `total_items` says how many are left, for the progress. A submitted response never
 * changes (one state per token), so the webhook's mapping applies as is.
 */

const PAGE_SIZE = '1000';

/** Typeform's list answers, built on the first page read (a backfill of another source never builds them). */
const schemas = builtOnce(() => {
  const page = z.object({
    total_items: z.number().int().nonnegative(),
    page_count: z.number().int().nonnegative(),
    items: z.array(z.object({ token: z.string().min(1) }).passthrough()),
  });

  return { page };
});

export const formIds = (env: Readonly<Record<string, string | undefined>>): string[] =>
  (env.TYPEFORM_FORM_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);

const formList = (options: HistoryClientOptions, formId: string): HistoryList<string | null> => {
  const access = accessOf(typeformApi, options, (token) => ({ authorization: `Bearer ${token}` }));
  const path = `/forms/${encodeURIComponent(formId)}/responses`;
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read(before) {
      const { deliveryId } = historyContext('typeform', options, now());
      const body = parseWith(
        schemas().page,
        await getJson(access, path, {
          page_size: PAGE_SIZE,
          before: before ?? undefined,
          since: options.since === undefined ? undefined : `${options.since}T00:00:00`,
          response_type: 'completed',
        }),
        [path],
      );
      const events = body.items.flatMap((item, i) => typeformResponseEvent(item, [path, 'items', i], deliveryId) ?? []);
      const last = body.items.at(-1)?.token;
      // total_items counts what matches this request (this page included); a short page is the last.
      const remaining = Math.max(0, body.total_items - body.items.length);
      return { events, items: body.items.length, next: remaining > 0 && last ? last : undefined, remaining };
    },
  };
};

export const typeformApi: HistorySource = {
  source: 'typeform',
  credentialVariable: 'TYPEFORM_TOKEN',
  baseVariable: 'TYPEFORM_API_BASE',
  defaultBase: 'https://api.typeform.com',
  alsoRequired: ['TYPEFORM_FORM_IDS'],
  client: (options) =>
    listsClient('typeform', formIds(options.env).map((id) => formList(options, id)) as HistoryList<unknown>[]),
};
