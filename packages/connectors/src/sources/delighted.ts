import { builtOnce, type SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector } from '../connector.js';
import { epochSecondsToIso, parseJson, parseWith, payloadFields } from '../payload.js';
import { bodyHmacVerifier } from '../signature.js';

/** Delighted: `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, key = the API key. */

/** Delighted's payloads, built on the first Delighted delivery (an ingest invocation for another source never builds them). */
const schemas = builtOnce(() => {
  const { epochSeconds, externalId } = payloadFields();
  const properties = z.record(z.string(), z.unknown()).nullable().optional();

  const surveyResponse = z.object({
    id: externalId,
    survey_type: z.string().default('nps'),
    score: z.number().int().min(0).max(10),
    comment: z.string().nullable().optional(),
    created_at: epochSeconds,
    updated_at: epochSeconds.nullable().optional(),
    // An object in webhooks and with the list API's `expand[]=person`, else the person's id.
    person: z
      .union([z.object({ email: z.string().nullable().optional() }), externalId.transform(() => null)])
      .nullable()
      .optional(),
    person_properties: properties,
  });

  const delivery = z.object({
    event_type: z.string().min(1),
    event_id: z.string().optional(),
    event_data: z.unknown(),
  });

  return { surveyResponse, delivery };
});

const propertyText = (props: Record<string, unknown> | null | undefined, ...names: string[]): string | null => {
  for (const name of names) {
    const value = props?.[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
};

/**
 * A Delighted survey response (a webhook's `event_data`, or an item of `GET /v1/survey_responses.json`) as a
 * canonical snapshot ordered by `updated_at`, else `created_at`; undefined for survey types other than NPS.
 */
export const delightedResponseEvent = (
  value: unknown,
  where: readonly PropertyKey[],
  deliveryId: string,
): SnapshotEvent<'survey_response'> | undefined => {
  const response = parseWith(schemas().surveyResponse, value, where);
  // Other survey types (csat, ces, enps, …) use other scales and are not NPS.
  if (response.survey_type !== 'nps') return undefined;
  const props = response.person_properties;
  return {
    entity: 'survey_response',
    source: 'delighted',
    id: response.id,
    mode: 'snapshot',
    version: [response.updated_at ?? response.created_at],
    deleted: false,
    occurredAt: epochSecondsToIso(response.updated_at ?? response.created_at),
    deliveryId,
    data: {
      score: response.score,
      submittedAt: epochSecondsToIso(response.created_at),
      customerId: propertyText(props, 'customer_id'),
      comment: response.comment ?? null,
      email: response.person?.email ?? null,
      segment: propertyText(props, 'segment', 'Segment'),
      channel: propertyText(props, 'channel', 'Channel'),
    },
  };
};

export const delighted: Connector = {
  source: 'delighted',
  secretVariable: 'WEBHOOK_SECRET_DELIGHTED',

  verify: bodyHmacVerifier('X-Delighted-Webhook-Signature', 'hex'),

  parse(request, ctx) {
    const body = parseWith(schemas().delivery, parseJson(request.body));
    if (body.event_type !== 'survey_response.created' && body.event_type !== 'survey_response.updated') {
      return { events: [], ignored: 1 };
    }
    const event = delightedResponseEvent(body.event_data, ['event_data'], ctx.deliveryId);
    if (!event) return { events: [], ignored: 1 };
    return { events: [event], ignored: 0 };
  },
};
