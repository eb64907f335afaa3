import type { SnapshotEvent } from '@flash/core';
import * as z from 'zod';
import type { Connector } from '../connector.js';
import { parseJson, parseWith } from '../payload.js';
import { bodyHmacVerifier } from '../signature.js';

/** Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body>`; no timestamp, dedupe by token. */

const answer = z.object({
  type: z.string(),
  field: z.object({ id: z.string().optional(), type: z.string(), ref: z.string().optional() }),
  number: z.number().optional(),
  text: z.string().optional(),
  email: z.string().optional(),
});

const delivery = z.object({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  form_response: z
    .object({
      form_id: z.string().min(1),
      token: z.string().min(1),
      submitted_at: z.iso.datetime({ offset: true }),
      hidden: z.record(z.string(), z.string().nullable()).optional(),
      answers: z.array(answer).default([]),
    })
    .optional(),
});

export const typeform: Connector = {
  source: 'typeform',
  secretVariable: 'WEBHOOK_SECRET_TYPEFORM',

  verify: bodyHmacVerifier('Typeform-Signature', 'base64'),

  parse(request, ctx) {
    const body = parseWith(delivery, parseJson(request.body));
    // form_response_partial and other event types describe unfinished or unrelated answers.
    if (body.event_type !== 'form_response') return { events: [], ignored: 1 };
    const response = parseWith(z.object({ form_response: delivery.shape.form_response.unwrap() }), body).form_response;
    const nps = response.answers.find((a) => a.field.type === 'nps' && a.type === 'number');
    if (nps?.number === undefined) return { events: [], ignored: 1 };
    const score = parseWith(z.number().int().min(0).max(10), nps.number, ['form_response', 'answers', 'nps']);
    const hidden = response.hidden ?? {};
    const comment = response.answers.find((a) => a.field.type === 'long_text' && a.text !== undefined)?.text ?? null;
    const email = hidden.email || response.answers.find((a) => a.type === 'email')?.email || null;
    const event: SnapshotEvent<'survey_response'> = {
      entity: 'survey_response',
      source: 'typeform',
      id: response.token,
      mode: 'snapshot',
      // A submitted Typeform response never changes: one state per token.
      version: [1],
      deleted: false,
      occurredAt: response.submitted_at,
      deliveryId: ctx.deliveryId,
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
    return { events: [event], ignored: 0 };
  },
};
