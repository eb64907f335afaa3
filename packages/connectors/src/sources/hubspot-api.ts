import { builtOnce, type PatchEvent, type SnapshotEvent } from '@flash/core';
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
import { displayName, epochMsToIso, parseWith } from '../payload.js';
import { hubspotDealPatches } from './hubspot.js';

/**
 * HubSpot's history: `GET /crm/v3/objects/deals` with `propertiesWithHistory` (HubSpot then serves at most
 * 50 deals a page), paged by `after` = `paging.next.after`; then the archived (deleted) deals with
 * `archived=true`. Each property's newest value becomes the very timed patch a webhook property change
 * makes, at the time HubSpot recorded that value: per field the newest time wins, so a backfilled value
 * never overrides a newer webhook and a newer one replaces an older webhook's. The list has no filter on
 * modification, so `--since` reads every deal and keeps those updated (or archived) on or after the day.
 * Last, the deal pipelines (`GET /crm/v3/pipelines/deals`, one answer): their stages' labels are shown beside
 * the stage ids deals carry, unless labels are configured for HubSpot.
 */

const PATH = '/crm/v3/objects/deals';
const PAGE_SIZE = '50';
/** The deal properties the connector maps (besides the configured customer property). */
const PROPERTIES = [
  'dealname',
  'dealstage',
  'amount',
  'deal_currency_code',
  'hubspot_owner_id',
  'closed_lost_reason',
  'createdate',
  'closedate',
];

/** HubSpot's list answers, built on the first page read (a backfill of another source never builds them). */
const schemas = builtOnce(() => {
  const isoMs = z.iso.datetime({ offset: true }).transform((text) => Date.parse(text));
  const historyEntry = z.object({ value: z.string().nullish(), timestamp: isoMs });
  const deal = z.object({
    id: z.string().min(1),
    createdAt: isoMs,
    updatedAt: isoMs,
    archivedAt: isoMs.optional(),
    propertiesWithHistory: z.record(z.string(), z.array(historyEntry)).optional(),
  });
  const page = z.object({
    results: z.array(z.unknown()),
    paging: z.object({ next: z.object({ after: z.string().min(1) }).optional() }).optional(),
  });

  const pipelineStage = z.object({
    id: z.string().min(1),
    label: z.string().nullish(),
    archived: z.boolean().optional(),
    updatedAt: isoMs.optional(),
  });
  const pipelines = z.object({
    results: z.array(z.object({ id: z.string().min(1), stages: z.array(z.unknown()) })),
  });

  return { deal, page, pipelineStage, pipelines };
});

type Deal = z.output<ReturnType<typeof schemas>['deal']>;

/** A live deal as the patches its webhooks would have made: creation, not deleted, each property's newest value. */
const livePatches = (d: Deal, index: number, ctx: ParseContext): PatchEvent<'deal'>[] => [
  ...hubspotDealPatches({ objectId: d.id, occurredAt: d.createdAt, action: 'creation' }, `results[${index}]`, ctx),
  ...hubspotDealPatches({ objectId: d.id, occurredAt: d.updatedAt, action: 'restore' }, `results[${index}]`, ctx),
  ...Object.entries(d.propertiesWithHistory ?? {}).flatMap(([name, entries]) => {
    const newest = entries.reduce<(typeof entries)[number] | undefined>(
      (best, entry) => (best && best.timestamp >= entry.timestamp ? best : entry),
      undefined,
    );
    if (!newest) return [];
    const change = {
      objectId: d.id,
      occurredAt: newest.timestamp,
      action: 'propertyChange',
      propertyName: name,
      propertyValue: newest.value ?? null,
    };
    return hubspotDealPatches(change, `results[${index}].propertiesWithHistory.${name}`, ctx);
  }),
];

const dealList = (options: HistoryClientOptions, archived: boolean): HistoryList<string | null> => {
  const access = accessOf(hubspotApi, options, (token) => ({ authorization: `Bearer ${token}` }));
  const sinceMs = (sinceSeconds(options.since) ?? Number.NEGATIVE_INFINITY) * 1000;
  const customerProperty = options.env.HUBSPOT_CUSTOMER_PROPERTY?.trim() || 'customer_id';
  const properties = [...PROPERTIES, customerProperty].join(',');
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read(after) {
      const ctx = historyContext('hubspot', options, now());
      const body = parseWith(
        schemas().page,
        await getJson(access, PATH, {
          limit: PAGE_SIZE,
          after: after ?? undefined,
          archived: String(archived),
          ...(archived ? {} : { properties, propertiesWithHistory: properties }),
        }),
        [PATH],
      );
      const events = body.results.flatMap((raw, index) => {
        const d = parseWith(schemas().deal, raw, [PATH, 'results', index]);
        if (archived) {
          const at = d.archivedAt ?? d.updatedAt;
          if (at < sinceMs) return [];
          return hubspotDealPatches({ objectId: d.id, occurredAt: at, action: 'deletion' }, `results[${index}]`, ctx);
        }
        return d.updatedAt < sinceMs ? [] : livePatches(d, index, ctx);
      });
      return { events, items: body.results.length, next: body.paging?.next?.after };
    },
  };
};

const PIPELINES_PATH = '/crm/v3/pipelines/deals';

const stageList = (options: HistoryClientOptions): HistoryList<null> => {
  const access = accessOf(hubspotApi, options, (token) => ({ authorization: `Bearer ${token}` }));
  const now = options.now ?? (() => new Date());
  return {
    first: null,
    async read() {
      const fetchedAt = now();
      const ctx = historyContext('hubspot', options, fetchedAt);
      const body = parseWith(schemas().pipelines, await getJson(access, PIPELINES_PATH, {}), [PIPELINES_PATH]);
      const events = body.results.flatMap((pipeline, p) =>
        pipeline.stages.map((raw, index): SnapshotEvent<'stage'> => {
          const s = parseWith(schemas().pipelineStage, raw, [PIPELINES_PATH, 'results', p, 'stages', index]);
          const changed = s.updatedAt ?? fetchedAt.getTime();
          return {
            entity: 'stage',
            source: 'hubspot',
            id: s.id,
            mode: 'snapshot',
            version: [changed],
            deleted: s.archived === true,
            occurredAt: epochMsToIso(changed),
            deliveryId: ctx.deliveryId,
            data: { label: displayName(s.label), pipelineId: pipeline.id },
          };
        }),
      );
      return { events, items: events.length };
    },
  };
};

export const hubspotApi: HistorySource = {
  source: 'hubspot',
  credentialVariable: 'HUBSPOT_ACCESS_TOKEN',
  baseVariable: 'HUBSPOT_API_BASE',
  defaultBase: 'https://api.hubapi.com',
  client: (options) =>
    listsClient('hubspot', [
      dealList(options, false),
      dealList(options, true),
      stageList(options),
    ] as HistoryList<unknown>[]),
};
