import type { SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector } from '../connector.js';
import { SignatureError } from '../errors.js';
import {
  currencyCode,
  dateText,
  epochMsToIso,
  externalId,
  minorAmount,
  orNull,
  parseJson,
  parseWith,
  utcTimestamp,
} from '../payload.js';
import { requireHeader, safeEqual, strictBase64, strictUtf8 } from '../signature.js';

/**
 * Pipedrive webhooks v2: one `{meta, data, previous}` object per event, authenticated only by the HTTP Basic
 * credentials set on the webhook (no signature, no timestamp). Deals become snapshots ordered by
 * `data.update_time`, then `meta.timestamp`.
 */

const text = orNull(z.string()).transform((v) => v || null);
const time = orNull(utcTimestamp);
const optionalId = orNull(externalId);

const deal = z.object({
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
type Deal = z.output<typeof deal>;

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
  const d = parseWith(deal, object, seen.where);
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
    const { meta, data, previous } = parseWith(delivery, parseJson(request.body));
    const action = meta.action;
    if (meta.entity !== 'deal' || !['create', 'change', 'delete'].includes(action)) {
      return { events: [], ignored: 1 };
    }
    // A delete carries the last state in `previous` and nothing in `data`.
    const deleted = action === 'delete';
    const event = pipedriveDealEvent(deleted ? previous : data, {
      id: meta.entity_id,
      timestamp: meta.timestamp,
      deleted,
      where: [deleted ? 'previous' : 'data'],
      deliveryId: ctx.deliveryId,
      baseCurrency: ctx.baseCurrency,
    });
    return { events: [event], ignored: 0 };
  },
};
