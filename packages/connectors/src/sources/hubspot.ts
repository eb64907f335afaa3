import { builtOnce, type EntityData, fields, type PatchEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector, ParseContext, WebhookRequest } from '../connector.js';
import { PayloadError, SignatureError } from '../errors.js';
import { displayName, epochMsToIso, parseJson, parseWith, payloadFields } from '../payload.js';
import {
  assertFresh,
  hmac,
  requireHeader,
  type SignedParts,
  safeEqual,
  sha256,
  strictUtf8,
  timestampHeader,
  verifyEqual,
} from '../signature.js';

/**
 * HubSpot: a JSON array of CRM events (deal creation, property changes, deletion), signed
 * `X-HubSpot-Signature-v3` = base64 HMAC-SHA256(client secret, method + URI + body + timestamp ms).
 * Deals become timed patches: per field, the newest `occurredAt` wins.
 */

const V3 = 'X-HubSpot-Signature-v3';
const TIMESTAMP = 'X-HubSpot-Request-Timestamp';
const LEGACY = 'X-HubSpot-Signature';
const TOLERANCE_MS = 300_000;

/** HubSpot decodes exactly these escapes in the URI before signing (request-validation docs). */
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
const signedUri = (url: string): string =>
  url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (code) => DECODED[code.toUpperCase()] ?? code);

/** The opt-in for legacy signatures: without it only v3 is accepted. */
const ACCEPT_LEGACY = 'HUBSPOT_ACCEPT_LEGACY_SIGNATURES';

const LEGACY_MISMATCH = `${LEGACY} does not match the body`;

/**
 * A body HubSpot could have sent: well-formed UTF-8 without control characters other than JSON whitespace
 * (UTF-8 multi-byte sequences hold no byte under 0x80, so the bytes can be checked one by one). A
 * length-extension forgery of v1/v2 (sha256(secret ‖ …) is open to it) must carry SHA-256 padding, a 0x80 byte
 * then zero bytes, which no such body holds.
 */
const couldBeHubSpotBody = (body: Buffer): boolean =>
  strictUtf8(body) !== undefined &&
  !body.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f);

/**
 * v1 (sha256 of secret + body) and v2 (sha256 of secret + method + URI + body) carry no timestamp, so a
 * captured request replays forever: accepted only with HUBSPOT_ACCEPT_LEGACY_SIGNATURES=true. Every wrong
 * legacy signature gets the same answer, whatever was forged (see couldBeHubSpotBody).
 */
const verifyLegacy = (
  request: WebhookRequest,
  secret: string,
  settings: Readonly<Record<string, string | undefined>> | undefined,
): void => {
  const received = request.headers[LEGACY.toLowerCase()];
  if (!received) throw new SignatureError(`missing ${V3} header`);
  if (settings?.[ACCEPT_LEGACY]?.trim().toLowerCase() !== 'true')
    throw new SignatureError(
      `${LEGACY} (v1/v2) carries no timestamp and is refused; send ${V3}, or set ${ACCEPT_LEGACY}=true to accept it`,
    );
  const version = request.headers['x-hubspot-signature-version']?.trim() || 'v1';
  const signed: Record<string, SignedParts> = {
    v1: [secret, request.body],
    v2: [secret, request.method, request.url, request.body],
  };
  const parts = Object.hasOwn(signed, version) ? signed[version] : undefined;
  if (!parts) throw new SignatureError(`X-HubSpot-Signature-Version "${version}" is not supported`);
  const matches = safeEqual(received.trim(), sha256(parts, 'hex'));
  if (!matches || !couldBeHubSpotBody(request.body)) throw new SignatureError(LEGACY_MISMATCH);
};

/**
 * Values derived from event times (createdAt from `deal.creation`, closedAt from the move into a closed
 * stage) are patched at `occurredAt - 10^13 ms` (~317 years earlier): a `createdate`/`closedate` property
 * value then outranks them whenever it happened, while among themselves the newest still wins.
 */
const FALLBACK_OFFSET_MS = 1e13;

const DEAL_TYPE_ID = '0-3';

/** HubSpot sends at most 100 events per request; a larger batch is not HubSpot's and is refused unparsed. */
const MAX_EVENTS_PER_REQUEST = 100;

/** HubSpot's payloads, built on the first HubSpot delivery (an ingest invocation for another source never builds them). */
const schemas = builtOnce(() => {
  const { epochMs, externalId } = payloadFields();
  const envelope = z.object({ subscriptionType: z.string().min(1), objectTypeId: z.string().optional() });
  const dealEvent = z.object({
    objectId: externalId,
    occurredAt: epochMs,
    propertyName: z.string().min(1).optional(),
    propertyValue: z.string().nullish(),
  });
  const propertyChange = dealEvent.required({ propertyName: true });

  return { envelope, dealEvent, propertyChange };
});

interface Settings {
  won: ReadonlySet<string>;
  lost: ReadonlySet<string>;
  customerProperty: string;
}

/** Configured stage ids add to HubSpot's default pipeline ids, which always stay closed. */
const stageList = (value: string | undefined, builtIn: string): ReadonlySet<string> =>
  new Set([builtIn, ...(value ?? '').split(',').map((s) => s.trim())].filter(Boolean));

const settingsOf = (ctx: ParseContext): Settings => ({
  won: stageList(ctx.settings.HUBSPOT_WON_STAGES, 'closedwon'),
  lost: stageList(ctx.settings.HUBSPOT_LOST_STAGES, 'closedlost'),
  customerProperty: ctx.settings.HUBSPOT_CUSTOMER_PROPERTY?.trim() || 'customer_id',
});

type Changes = PatchEvent<'deal'>['changes'];
interface Mapped {
  /** Changes at the event's own time. */
  changes?: Changes;
  /** Changes at the fallback time (see FALLBACK_OFFSET_MS). */
  fallback?: Changes;
}

const decimal = /^([-+]?)(\d+)(?:\.(\d+))?$/;

/**
 * HubSpot's amount as the canonical decimal: exact, as sent, without a `+`, leading zeros before the point or
 * trailing zeros after it (`"+02500.50"` → `"2500.5"`). Scaled to minor units by the aggregator with the
 * deal's currency, which may arrive in another delivery (core's `dealMoney`).
 */
const amountDecimal = (value: string, where: string): string => {
  const [, sign, whole = '', fraction = ''] = decimal.exec(value) ?? [];
  if (!whole) throw new PayloadError(`${where}: amount "${value}" is not a decimal number`);
  const digits = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  const zero = digits === '0' && !decimals;
  const text = `${sign === '-' && !zero ? '-' : ''}${digits}${decimals ? `.${decimals}` : ''}`;
  return parseWith(fields().decimal, text, [where]);
};

/** A date property: epoch milliseconds as a string (HubSpot's form), or an ISO 8601 text. */
const dateProperty = (value: string, where: string): string => {
  if (/^\d{1,15}$/.test(value)) return epochMsToIso(parseWith(payloadFields().epochMs, Number(value), [where]));
  return new Date(parseWith(payloadFields().dateText, value, [where])).toISOString();
};

interface Mapper {
  settings: Settings;
  ctx: ParseContext;
}

const mapProperty = (e: HubSpotDealChange & { propertyName: string }, where: string, m: Mapper): Mapped | undefined => {
  const value = e.propertyValue?.trim() ?? '';
  const at = epochMsToIso(e.occurredAt);
  const { settings } = m;
  switch (e.propertyName) {
    case settings.customerProperty:
      return { changes: { customerId: value || null } };
    case 'dealstage': {
      const status: EntityData['deal']['status'] = settings.won.has(value)
        ? 'won'
        : settings.lost.has(value)
          ? 'lost'
          : 'open';
      return { changes: { stage: value || null, status }, fallback: { closedAt: status === 'open' ? null : at } };
    }
    // The amount stays a decimal until the aggregator knows the deal's currency; `amount: null` at the same
    // time retires a minor amount an older version of this connector stored.
    case 'amount':
      if (!value) return { changes: { amount: null, amountDecimal: null } };
      return {
        changes: { amount: null, amountDecimal: amountDecimal(value, where) },
        // Without a deal currency HubSpot means the company currency; a real deal_currency_code outranks this.
        fallback: { currency: m.ctx.baseCurrency },
      };
    case 'deal_currency_code':
      return {
        changes: { currency: value ? parseWith(payloadFields().currencyCode, value, [where]) : m.ctx.baseCurrency },
      };
    case 'dealname':
      return { changes: { title: displayName(value) } };
    case 'hubspot_owner_id':
      return { changes: { ownerId: value || null } };
    case 'closed_lost_reason':
      return { changes: { lostReason: value || null } };
    // An emptied date says nothing about when: the last known date (or the fallback) stays.
    case 'createdate':
      return value ? { changes: { createdAt: dateProperty(value, where) } } : undefined;
    // HubSpot's close date is when an open deal is expected to close, and when a closed one closed.
    case 'closedate': {
      if (!value) return undefined;
      const date = dateProperty(value, where);
      return { changes: { closedAt: date, expectedCloseDate: date } };
    }
    default:
      return undefined;
  }
};

/** One change to a HubSpot deal: a webhook event, or a property's newest value read from the API. */
export interface HubSpotDealChange {
  objectId: string;
  /** Epoch ms. */
  occurredAt: number;
  /** `creation`, `deletion`, `restore` or `propertyChange` (with `propertyName` and `propertyValue`). */
  action: string;
  propertyName?: string | undefined;
  propertyValue?: string | null | undefined;
}

const mapChange = (e: HubSpotDealChange, where: string, m: Mapper): Mapped | undefined => {
  switch (e.action) {
    case 'creation':
      return { fallback: { createdAt: epochMsToIso(e.occurredAt) } };
    case 'deletion':
      return { changes: { deleted: true } };
    case 'restore':
      return { changes: { deleted: false } };
    case 'propertyChange':
      return e.propertyName === undefined ? undefined : mapProperty({ ...e, propertyName: e.propertyName }, where, m);
    default:
      return undefined;
  }
};

/**
 * The timed patches of one deal change (none for a change the pipeline does not use): the webhook
 * connector's and the API client's one mapping. `where` names the value in errors.
 */
export const hubspotDealPatches = (
  change: HubSpotDealChange,
  where: string,
  ctx: ParseContext,
): PatchEvent<'deal'>[] => {
  const mapped = mapChange(change, where, { settings: settingsOf(ctx), ctx });
  const patch = (at: number, changes: Changes): PatchEvent<'deal'> => ({
    entity: 'deal',
    source: 'hubspot',
    id: change.objectId,
    mode: 'patch',
    at,
    occurredAt: epochMsToIso(change.occurredAt),
    deliveryId: ctx.deliveryId,
    changes,
  });
  return [
    ...(mapped?.changes ? [patch(change.occurredAt, mapped.changes)] : []),
    ...(mapped?.fallback ? [patch(change.occurredAt - FALLBACK_OFFSET_MS, mapped.fallback)] : []),
  ];
};

/** The action of a deal event (`creation`, `propertyChange`, …), or undefined for other objects. */
const dealAction = ({
  subscriptionType,
  objectTypeId,
}: z.output<ReturnType<typeof schemas>['envelope']>): string | undefined => {
  const [object, action] = subscriptionType.split('.', 2);
  if (object === 'deal' || (object === 'object' && objectTypeId === DEAL_TYPE_ID)) return action;
  return undefined;
};

export const hubspot: Connector = {
  source: 'hubspot',
  secretVariable: 'WEBHOOK_SECRET_HUBSPOT',

  verify(request, secret, now, settings) {
    const signature = request.headers[V3.toLowerCase()];
    // Present but empty is a bad v3 signature, never a reason to fall back to the legacy ones.
    if (signature === undefined) {
      verifyLegacy(request, secret, settings);
      return;
    }
    if (!signature.trim()) throw new SignatureError(`${V3} is an empty signature`);
    const timestamp = requireHeader(request.headers, TIMESTAMP);
    const timestampMs = timestampHeader(timestamp, 1, TIMESTAMP);
    const signed = [request.method, signedUri(request.url), request.body, timestamp.trim()];
    verifyEqual(signature, hmac('sha256', secret, signed, 'base64'), V3);
    assertFresh(timestampMs, now, TOLERANCE_MS, TIMESTAMP);
  },

  parse(request, ctx) {
    const batch = parseWith(z.array(z.unknown()).max(MAX_EVENTS_PER_REQUEST), parseJson(request.body));
    const events: PatchEvent<'deal'>[] = [];
    let ignored = 0;
    batch.forEach((raw, index) => {
      const action = dealAction(parseWith(schemas().envelope, raw, [index]));
      if (action === undefined) {
        ignored++;
        return;
      }
      const e = parseWith(action === 'propertyChange' ? schemas().propertyChange : schemas().dealEvent, raw, [index]);
      const patches = hubspotDealPatches({ ...e, action }, `[${index}].propertyValue`, ctx);
      if (patches.length === 0) ignored++;
      events.push(...patches);
    });
    return { events, ignored };
  },
};
