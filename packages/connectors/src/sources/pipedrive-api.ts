import { builtOnce, type CanonicalEvent, type SnapshotEvent } from '@flash/core';
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
import type { ParseContext } from '../connector.js';
import { displayName, epochMsToIso, parseWith, payloadFields } from '../payload.js';
import { pipedriveDealEvent } from './pipedrive.js';

/**
 * Pipedrive's history: `GET /api/v2/deals` (500 a page, `limit`), paged by `cursor` =
 * `additional_data.next_cursor`, then the deals deleted in the last 30 days (`status=deleted`, all Pipedrive
 * keeps); `--since` is `updated_since`. A v2 webhook's `data` is this very deal object, so the connector's
 * mapping serves both. The version is `[update_time, update_time]`: a later update (API or webhook) wins, and
 * for the same update a webhook's delivery time (`meta.timestamp`, within the second) ranks its copy first, so
 * reading a deal again changes nothing. Then the stages (`GET /api/v2/stages`), for their names.
 */

const PATH = '/api/v2/deals';
const PAGE_SIZE = '500';

/** Pipedrive's list answers, built on the first page read (a backfill of another source never builds them). */
const schemas = builtOnce(() => {
  const { externalId, utcTimestamp } = payloadFields();
  const page = z.object({
    success: z.literal(true),
    data: z.array(z.unknown()).nullable(),
    additional_data: z.object({ next_cursor: z.string().nullish() }).nullish(),
  });
  const dealHead = z.object({
    id: externalId,
    update_time: utcTimestamp.nullish(),
    add_time: utcTimestamp.nullish(),
    is_deleted: z.boolean().optional(),
  });

  const stage = z.object({
    id: externalId,
    name: z.string().nullish(),
    pipeline_id: externalId.nullish(),
    is_deleted: z.boolean().optional(),
    add_time: utcTimestamp.nullish(),
    update_time: utcTimestamp.nullish(),
  });

  return { page, dealHead, stage };
});

/**
 * One Pipedrive v2 list (`path`, with `query`), paged by `cursor` = `additional_data.next_cursor`, each item
 * mapped to a canonical event read at `fetchedAt`.
 */
const pipedriveList = (
  options: HistoryClientOptions,
  path: string,
  query: Record<string, string | undefined>,
  toEvent: (item: unknown, where: readonly PropertyKey[], fetchedAt: Date, ctx: ParseContext) => CanonicalEvent,
): HistoryList<string | null> => {
  const access = accessOf(pipedriveApi, options, (token) => ({ 'x-api-token': token }));
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read(cursor) {
      const fetchedAt = now();
      const ctx = historyContext('pipedrive', options, fetchedAt);
      const body = parseWith(
        schemas().page,
        await getJson(access, path, { ...query, limit: PAGE_SIZE, cursor: cursor ?? undefined }),
        [path],
      );
      const items = body.data ?? [];
      const events = items.map((item, index) => toEvent(item, [path, 'data', index], fetchedAt, ctx));
      return { events, items: items.length, next: body.additional_data?.next_cursor ?? undefined };
    },
  };
};

const dealList = (options: HistoryClientOptions, deletedOnly: boolean) =>
  pipedriveList(
    options,
    PATH,
    {
      updated_since: options.since === undefined ? undefined : `${options.since}T00:00:00Z`,
      status: deletedOnly ? 'deleted' : undefined,
    },
    (raw, where, fetchedAt, ctx) => {
      const head = parseWith(schemas().dealHead, raw, where);
      return pipedriveDealEvent(raw, {
        id: head.id,
        timestamp: head.update_time ?? head.add_time ?? fetchedAt.getTime(),
        deleted: deletedOnly || head.is_deleted === true,
        where,
        deliveryId: ctx.deliveryId,
        baseCurrency: ctx.baseCurrency,
      });
    },
  );

const STAGES_PATH = '/api/v2/stages';

/**
 * The pipelines' stages (`GET /api/v2/stages`, same paging): their names become the labels shown beside the
 * stage ids deals carry, unless labels are configured for Pipedrive. Read last, so a checkpoint taken before
 * stages were read still names the same list.
 */
const stageList = (options: HistoryClientOptions) =>
  pipedriveList(options, STAGES_PATH, {}, (raw, where, fetchedAt, ctx): SnapshotEvent<'stage'> => {
    const s = parseWith(schemas().stage, raw, where);
    const changed = s.update_time ?? s.add_time ?? fetchedAt.getTime();
    return {
      entity: 'stage',
      source: 'pipedrive',
      id: s.id,
      mode: 'snapshot',
      version: [changed],
      deleted: s.is_deleted === true,
      occurredAt: epochMsToIso(changed),
      deliveryId: ctx.deliveryId,
      data: { label: displayName(s.name), pipelineId: s.pipeline_id ?? null },
    };
  });

export const pipedriveApi: HistorySource = {
  source: 'pipedrive',
  credentialVariable: 'PIPEDRIVE_API_TOKEN',
  baseVariable: 'PIPEDRIVE_API_BASE',
  defaultBase: 'https://api.pipedrive.com',
  client: (options) =>
    listsClient('pipedrive', [
      dealList(options, false),
      dealList(options, true),
      stageList(options),
    ] as HistoryList<unknown>[]),
};
