import { ACTIVITY_KINDS, type CanonicalEvent, fields, normaliseCurrency } from '@flash/core';
import * as z from 'zod';
import type { Connector, ParseContext } from '../connector.js';
import { PayloadError } from '../errors.js';
import { currencyCode, minorAmount, parseJson, parseWith } from '../payload.js';
import { bodyHmacVerifier } from '../signature.js';

/**
 * Generic: the contract's canonical events from any ERP/CRM without native webhooks (Visma, NetSuite, an
 * export job), signed `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */

// The canonical field schemas, so the generic format and the events it becomes share one set of limits.
const id = fields.id;
const nullish = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? null);
const optionalId = nullish(id);
const optionalLabel = nullish(fields.label);
const optionalText = nullish(fields.text);
const date = fields.isoDate;
const currency = currencyCode.optional();
const base = { id, version: z.number().int().nonnegative(), deleted: z.boolean().default(false) };

const schemas = {
  customer: z.object({
    ...base,
    name: optionalLabel,
    internal: z.boolean().default(false),
    segment: optionalLabel,
    channel: optionalLabel,
    ownerId: optionalId,
  }),
  project: z.object({
    ...base,
    customerId: optionalId,
    status: z.enum(['open', 'closed']),
    internal: z.boolean().default(false),
  }),
  invoice: z.object({
    ...base,
    customerId: optionalId,
    projectId: optionalId,
    number: optionalLabel,
    status: z.enum(['draft', 'sent', 'void']),
    invoiceDate: date.nullish().transform((v) => v ?? null),
    total: z.number(),
    currency,
  }),
  cost: z.object({ ...base, projectId: optionalId, date, amount: z.number(), currency }),
  deal: z.object({
    ...base,
    customerId: optionalId,
    ownerId: optionalId,
    status: z.enum(['open', 'won', 'lost']),
    stage: optionalLabel,
    amount: z.number().nullish(),
    currency,
    createdAt: date.nullish().transform((v) => v ?? null),
    closedAt: date.nullish().transform((v) => v ?? null),
    expectedCloseDate: date.nullish().transform((v) => v ?? null),
    source: optionalLabel,
    lostReason: optionalLabel,
  }),
  survey_response: z.object({
    ...base,
    customerId: optionalId,
    score: z.number().int().min(0).max(10),
    submittedAt: date,
    comment: optionalText,
    email: optionalLabel,
    segment: optionalLabel,
    channel: optionalLabel,
  }),
  activity: z.object({
    ...base,
    kind: z.enum(ACTIVITY_KINDS),
    ownerId: optionalId,
    customerId: optionalId,
    dealId: optionalId,
    dueAt: date.nullish().transform((v) => v ?? null),
    doneAt: date.nullish().transform((v) => v ?? null),
    subject: optionalLabel,
  }),
};
type GenericType = keyof typeof schemas;

/** The most events one generic delivery may carry. */
export const MAX_GENERIC_EVENTS = 1000;

const envelope = z.object({
  events: z.array(z.object({ type: z.string() }).passthrough()).max(MAX_GENERIC_EVENTS),
});

const toCanonical = (type: GenericType, raw: unknown, index: number, ctx: ParseContext): CanonicalEvent => {
  const where = ['events', index] as const;
  const common = {
    source: 'generic',
    mode: 'snapshot' as const,
    deliveryId: ctx.deliveryId,
    occurredAt: ctx.receivedAt.toISOString(),
  };
  const money = (amount: number, code: string | undefined, field: string) => {
    const iso = normaliseCurrency(code ?? ctx.baseCurrency);
    return { iso, minor: minorAmount(amount, iso, `events[${index}].${field}`) };
  };
  switch (type) {
    case 'customer': {
      const { id, version, deleted, ...data } = parseWith(schemas.customer, raw, where);
      return { ...common, entity: 'customer', id, version: [version], deleted, data };
    }
    case 'project': {
      const { id, version, deleted, ...data } = parseWith(schemas.project, raw, where);
      return { ...common, entity: 'project', id, version: [version], deleted, data };
    }
    case 'invoice': {
      const e = parseWith(schemas.invoice, raw, where);
      const { iso, minor } = money(e.total, e.currency, 'total');
      // Contract: an invoice is issued when it is sent and carries a number.
      const status = e.status === 'void' ? 'void' : e.status === 'sent' && e.number ? 'issued' : 'draft';
      const data = {
        customerId: e.customerId,
        projectId: e.projectId,
        number: e.number,
        status,
        invoiceDate: e.invoiceDate,
        total: minor,
        currency: iso,
      } as const;
      return { ...common, entity: 'invoice', id: e.id, version: [e.version], deleted: e.deleted, data };
    }
    case 'cost': {
      const e = parseWith(schemas.cost, raw, where);
      const { iso, minor } = money(e.amount, e.currency, 'amount');
      const data = { projectId: e.projectId, date: e.date, amount: minor, currency: iso };
      return { ...common, entity: 'cost', id: e.id, version: [e.version], deleted: e.deleted, data };
    }
    case 'deal': {
      const { id, version, deleted, amount, currency: code, ...rest } = parseWith(schemas.deal, raw, where);
      const value = amount === null || amount === undefined ? null : money(amount, code, 'amount');
      const data = {
        ...rest,
        amount: value?.minor ?? null,
        currency: value?.iso ?? (code ? normaliseCurrency(code) : null),
      };
      return { ...common, entity: 'deal', id, version: [version], deleted, data };
    }
    case 'survey_response': {
      const { id, version, deleted, ...data } = parseWith(schemas.survey_response, raw, where);
      return {
        ...common,
        entity: 'survey_response',
        id,
        version: [version],
        deleted,
        occurredAt: data.submittedAt,
        data,
      };
    }
    case 'activity': {
      const { id, version, deleted, ...data } = parseWith(schemas.activity, raw, where);
      return { ...common, entity: 'activity', id, version: [version], deleted, data };
    }
  }
};

const isGenericType = (type: string): type is GenericType => Object.hasOwn(schemas, type);

export const generic: Connector = {
  source: 'generic',
  secretVariable: 'WEBHOOK_SECRET_GENERIC',

  verify: bodyHmacVerifier('X-Signature', 'hex'),

  parse(request, ctx) {
    const { events } = parseWith(envelope, parseJson(request.body));
    // Our own schema, so an unknown type is a typo that would lose data, not a provider's event we skip.
    const out = events.map((raw, index) => {
      if (!isGenericType(raw.type))
        throw new PayloadError(
          `events[${index}].type: unknown type ${JSON.stringify(raw.type)}; expected one of ${Object.keys(schemas).join(', ')}`,
        );
      return toCanonical(raw.type, raw, index, ctx);
    });
    return { events: out, ignored: 0 };
  },
};
