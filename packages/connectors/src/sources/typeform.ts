import { builtOnce, type SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector } from '../connector.js';
import { parseJson, parseWith } from '../payload.js';
import { bodyHmacVerifier } from '../signature.js';

/** Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body>`; no timestamp, dedupe by token. */

/** Typeform's payloads, built on the first Typeform delivery (an ingest invocation for another source never builds them). */
const schemas = builtOnce(() => {
  const answer = z.object({
    type: z.string(),
    field: z.object({ id: z.string().optional(), type: z.string(), ref: z.string().optional() }),
    number: z.number().optional(),
    text: z.string().optional(),
    email: z.string().optional(),
  });

  /** A submitted response: a webhook's `form_response`, or an item of `GET /forms/{id}/responses` (no form_id). */
  const formResponse = z.object({
    token: z.string().min(1),
    submitted_at: z.iso.datetime({ offset: true }),
    hidden: z.record(z.string(), z.string().nullable()).optional(),
    answers: z
      .array(answer)
      .nullish()
      .transform((answers) => answers ?? []),
  });

  const delivery = z.object({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    form_response: formResponse.extend({ form_id: z.string().min(1) }).optional(),
  });

  const npsScore = z.number().int().min(0).max(10);

  return { formResponse, delivery, npsScore };
});

/**
 * A Typeform response as a canonical snapshot, or undefined when it has no NPS answer (another form, or the
 * question skipped). The webhook connector's and the API client's one mapping.
 */
export const typeformResponseEvent = (
  value: unknown,
  where: readonly PropertyKey[],
  deliveryId: string,
): SnapshotEvent<'survey_response'> | undefined => {
  const response = parseWith(schemas().formResponse, value, where);
  const nps = response.answers.find((a) => a.field.type === 'nps' && a.type === 'number');
  if (nps?.number === undefined) return undefined;
  const score = parseWith(schemas().npsScore, nps.number, [...where, 'answers', 'nps']);
  const hidden = response.hidden ?? {};
  const comment = response.answers.find((a) => a.field.type === 'long_text' && a.text !== undefined)?.text ?? null;
  const email = hidden.email || response.answers.find((a) => a.type === 'email')?.email || null;
  return {
    entity: 'survey_response',
    source: 'typeform',
    id: response.token,
    mode: 'snapshot',
    // A submitted Typeform response never changes: one state per token.
    version: [1],
    deleted: false,
    occurredAt: response.submitted_at,
    deliveryId,
    data: {
      score,
      submittedAt: response.submitted_at,
      customerId: hidden.customer_id || hidden.account_id || null,
      comment,
      email,
      segment: hidden.segment || null,
      channel: hidden.channel || null,
    },
  };
};

export const typeform: Connector = {
  source: 'typeform',
  secretVariable: 'WEBHOOK_SECRET_TYPEFORM',

  verify: bodyHmacVerifier('Typeform-Signature', 'base64'),

  parse(request, ctx) {
    const body = parseWith(schemas().delivery, parseJson(request.body));
    // form_response_partial and other event types describe unfinished or unrelated answers.
    if (body.event_type !== 'form_response') return { events: [], ignored: 1 };
    // A form_response event without its form_response is refused by the mapping's schema (a 400).
    const event = typeformResponseEvent(body.form_response, ['form_response'], ctx.deliveryId);
    if (!event) return { events: [], ignored: 1 };
    return { events: [event], ignored: 0 };
  },
};
