import { type ActivityKind, builtOnce, type SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector, ParseContext } from '../connector.js';
import { SignatureError } from '../errors.js';
import { displayName, epochMsToIso, minorAmount, orNull, parseJson, parseWith, payloadFields } from '../payload.js';
import { requireHeader, safeEqual, strictBase64, strictUtf8 } from '../signature.js';

/**
 * Pipedrive webhooks v2: one `{meta, data, previous}` object per event, authenticated only by the HTTP Basic
 * credentials set on the webhook (no signature, no timestamp). Deals and activities become snapshots ordered
 * by `data.update_time`, then `meta.timestamp`.
 */

/** Pipedrive's built-in activity types onto the canonical kinds; a company's own types count as tasks. */
const ACTIVITY_KIND: Readonly<Record<string, ActivityKind>> = {
  meeting: 'meeting',
  lunch: 'meeting',
  call: 'call',
  email: 'email',
  task: 'task',
  deadline: 'task',
};

/** Pipedrive's payloads, built on the first Pipedrive delivery (an ingest invocation for another source never builds them). */
const schemas = builtOnce(() => {
  const { currencyCode, dateText, externalId, utcTimestamp } = payloadFields();
  const text = orNull(z.string()).transform((v) => v || null);
  const time = orNull(utcTimestamp);
  const optionalId = orNull(externalId);

  const deal = z.object({
    title: orNull(z.string()).transform(displayName),
    status: z.enum(['open', 'won', 'lost', 'deleted']),
    value: orNull(z.number()),
    currency: orNull(currencyCode),
    org_id: optionalId,
    owner_id: optionalId,
    stage_id: optionalId,
    add_time: time,
    update_time: time,
    won_time: time,
    lost_time: time,
    close_time: time,
    expected_close_date: orNull(dateText),
    lost_reason: text,
    origin: text,
  });

  /**
   * An activity as webhooks v2 carry it: the fields of API v2's activity object
   * (https://developers.pipedrive.com/docs/api/v1/Activities, v2 `GET /api/v2/activities/{id}`): `type` is the
   * activity type's key (`call`, `meeting`, `task`, `deadline`, `email`, `lunch` or a company's own), `due_date`
   * a date and `due_time` `HH:MM` in UTC, `done` a boolean, `marked_as_done_time` when it was marked done.
   */
  const activity = z.object({
    type: z.string().min(1),
    subject: text,
    owner_id: optionalId,
    org_id: optionalId,
    deal_id: optionalId,
    due_date: orNull(dateText),
    due_time: orNull(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$|^$/, 'expected HH:MM')),
    done: z.boolean().default(false),
    marked_as_done_time: time,
    add_time: time,
    update_time: time,
    is_deleted: z.boolean().default(false),
  });

  const delivery = z.object({
    meta: z.object({
      action: z.string().min(1),
      entity: z.string().min(1),
      entity_id: externalId,
      timestamp: utcTimestamp,
    }),
    data: z.unknown().optional(),
    previous: z.unknown().optional(),
  });

  return { deal, activity, delivery };
});

type Deal = z.output<ReturnType<typeof schemas>['deal']>;

const iso = (ms: number | null): string | null => (ms === null ? null : epochMsToIso(ms));

const closedAt = (d: Deal): number | null =>
  (d.status === 'won' ? d.won_time : d.status === 'lost' ? d.lost_time : null) ?? d.close_time;

/** How a Pipedrive deal was seen: a webhook (its `meta`) or a page of `GET /api/v2/deals`. */
export interface PipedriveSighting {
  id: string;
  /** Epoch ms; orders two states with the same `update_time` (a webhook's `meta.timestamp`). */
  timestamp: number;
  deleted: boolean;
  /** Where the deal sits in what was received (`data`, `previous`, `data[3]`), for error messages. */
  where: readonly PropertyKey[];
  deliveryId: string;
  baseCurrency: string;
}

/**
 * A Pipedrive v2 deal object (a webhook's `data`/`previous`, or an item of `GET /api/v2/deals`: the same
 * shape) as a canonical snapshot, ordered by `update_time`, then the sighting's timestamp.
 */
export const pipedriveDealEvent = (object: unknown, seen: PipedriveSighting): SnapshotEvent<'deal'> => {
  const d = parseWith(schemas().deal, object, seen.where);
  const where = seen.where.join('.');
  const currency = d.currency ?? seen.baseCurrency;
  const amount = d.value === null ? null : minorAmount(d.value, currency, `${where}.value`);
  return {
    entity: 'deal',
    source: 'pipedrive',
    id: seen.id,
    mode: 'snapshot',
    // update_time has second precision and is null on create; the timestamp orders within the second.
    version: [d.update_time ?? d.add_time ?? 0, seen.timestamp],
    deleted: seen.deleted || d.status === 'deleted',
    occurredAt: epochMsToIso(seen.timestamp),
    deliveryId: seen.deliveryId,
    data: {
      title: d.title,
      customerId: d.org_id,
      ownerId: d.owner_id,
      // A deleted deal counts nothing, whatever its status.
      status: d.status === 'deleted' ? 'open' : d.status,
      stage: d.stage_id,
      amount,
      currency: amount === null ? d.currency : currency,
      createdAt: iso(d.add_time),
      closedAt: iso(closedAt(d)),
      expectedCloseDate: d.expected_close_date,
      source: d.origin,
      lostReason: d.lost_reason,
    },
  };
};

export const pipedrive: Connector = {
  source: 'pipedrive',
  secretVariable: 'PIPEDRIVE_BASIC_AUTH',

  /**
   * `secret` is `user:password`, compared in constant time with the Basic credentials. The header must be
   * exactly `Basic <token>` and the token canonical base64 of UTF-8 text: anything a lenient decoder would
   * read past (`Basic dTpw!!!`, stray bits, a second token) is refused before the comparison.
   */
  verify(request, secret) {
    const [scheme, token, ...rest] = requireHeader(request.headers, 'Authorization').trim().split(/ +/);
    if (scheme?.toLowerCase() !== 'basic' || !token || rest.length > 0)
      throw new SignatureError('Authorization is not HTTP Basic');
    const bytes = strictBase64(token);
    const credentials = bytes && strictUtf8(bytes);
    if (credentials === undefined)
      throw new SignatureError('Authorization: the Basic credentials are not canonical base64 of UTF-8 text');
    if (!safeEqual(credentials, secret)) {
      throw new SignatureError('Authorization does not carry the configured Pipedrive credentials');
    }
  },

  parse(request, ctx) {
    const { meta, data, previous } = parseWith(schemas().delivery, parseJson(request.body));
    if (!['create', 'change', 'delete'].includes(meta.action)) return { events: [], ignored: 1 };
    // A delete carries the last state in `previous` and nothing in `data`.
    const isDelete = meta.action === 'delete';
    const where = isDelete ? 'previous' : 'data';
    const state = isDelete ? previous : data;
    if (meta.entity === 'deal') {
      const event = pipedriveDealEvent(state, {
        id: meta.entity_id,
        timestamp: meta.timestamp,
        deleted: isDelete,
        where: [where],
        deliveryId: ctx.deliveryId,
        baseCurrency: ctx.baseCurrency,
      });
      return { events: [event], ignored: 0 };
    }
    if (meta.entity === 'activity')
      return {
        events: [activityEvent(meta, parseWith(schemas().activity, state, [where]), isDelete, ctx)],
        ignored: 0,
      };
    return { events: [], ignored: 1 };
  },
};

type Meta = z.output<ReturnType<typeof schemas>['delivery']>['meta'];

const activityEvent = (
  meta: Meta,
  a: z.output<ReturnType<typeof schemas>['activity']>,
  isDelete: boolean,
  ctx: ParseContext,
): SnapshotEvent<'activity'> => ({
  entity: 'activity',
  source: 'pipedrive',
  id: meta.entity_id,
  mode: 'snapshot',
  version: [a.update_time ?? a.add_time ?? 0, meta.timestamp],
  deleted: isDelete || a.is_deleted,
  occurredAt: epochMsToIso(meta.timestamp),
  deliveryId: ctx.deliveryId,
  data: {
    kind: ACTIVITY_KIND[a.type] ?? 'task',
    ownerId: a.owner_id,
    customerId: a.org_id,
    dealId: a.deal_id,
    // A due date without a time is a whole day, a local date; with one, the time is UTC.
    dueAt: a.due_date && a.due_time ? `${a.due_date}T${a.due_time.slice(0, 5)}:00Z` : a.due_date,
    // Done when marked done; an activity marked done without a time was done when that change was made.
    doneAt: a.done ? epochMsToIso(a.marked_as_done_time ?? a.update_time ?? meta.timestamp) : null,
    subject: a.subject,
  },
});
