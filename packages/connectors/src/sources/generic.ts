import { ACTIVITY_KINDS, builtOnce, type CanonicalEvent, describePath, fields, normaliseCurrency } from '@flash/core';
import * as z from 'zod';
import type { Connector, ParseContext } from '../connector.js';
import { PayloadError } from '../errors.js';
import { minorAmount, parseJson, parseWith, payloadFields } from '../payload.js';
import { bodyHmacVerifier } from '../signature.js';

/**
 * Generic: the contract's canonical events from any ERP/CRM without native webhooks (Visma, NetSuite, an
 * export job), signed `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */

/** The entity types a generic event may name, in the contract's order. */
export const GENERIC_TYPES = [
  'customer',
  'project',
  'invoice',
  'cost',
  'deal',
  'survey_response',
  'activity',
  'spend',
] as const;
export type GenericType = (typeof GENERIC_TYPES)[number];

/**
 * The schema of each generic type, built on the first generic event: an ingest invocation for another source
 * never builds them. They use the canonical field schemas, so the generic format and the events it becomes
 * share one set of limits.
 */
const schemas = builtOnce(() => {
  const { currencyCode } = payloadFields();
  const id = fields().id;
  const nullish = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? null);
  const optionalId = nullish(id);
  const optionalLabel = nullish(fields().label);
  const optionalText = nullish(fields().text);
  const date = fields().isoDate;
  const currency = currencyCode.optional();
  const base = { id, version: z.number().int().nonnegative(), deleted: z.boolean().default(false) };

  return {
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
      title: optionalLabel,
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
      // When the deal entered its stage, an instant; absent: when this version is received.
      stageChangedAt: date
        .refine((v) => v.includes('T'), 'must be a date-time with its offset (YYYY-MM-DDThh:mm:ssZ)')
        .nullish()
        .transform((v) => v ?? undefined),
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
    spend: z.object({ ...base, date, amount: z.number(), currency, channel: optionalLabel, campaign: optionalLabel }),
  } satisfies Record<GenericType, z.ZodType>;
});

export const isGenericType = (type: string): type is GenericType => (GENERIC_TYPES as readonly string[]).includes(type);

/** What mapping one generic event needs from its delivery (a webhook, or a file being imported). */
export type GenericContext = Pick<ParseContext, 'receivedAt' | 'deliveryId' | 'baseCurrency'>;

/** How a field's value is written in JSON, for formats that carry only text (a CSV cell). */
export type GenericFieldKind = 'number' | 'boolean' | 'text';

const kindOf = (property: { type?: string | string[]; anyOf?: { type?: string }[] }): GenericFieldKind => {
  const types = [property.type ?? [], ...(property.anyOf ?? []).map((member) => member.type ?? [])].flat();
  if (types.includes('number') || types.includes('integer')) return 'number';
  return types.includes('boolean') ? 'boolean' : 'text';
};

/**
 * The fields of each generic type (without `type`) and how each is written, read from the schemas above so a
 * text format (CSV) converts its cells exactly as the schema expects them. Built on first use: only
 * `npm run import` reads it.
 */
export const genericFields = builtOnce(
  () =>
    Object.fromEntries(
      GENERIC_TYPES.map((type) => {
        const { properties = {} } = z.toJSONSchema(schemas()[type], { io: 'input', unrepresentable: 'any' }) as {
          properties?: Record<string, Parameters<typeof kindOf>[0]>;
        };
        return [type, new Map(Object.entries(properties).map(([field, property]) => [field, kindOf(property)]))];
      }),
    ) as unknown as Readonly<Record<GenericType, ReadonlyMap<string, GenericFieldKind>>>,
);

/** The most events one generic delivery may carry. */
export const MAX_GENERIC_EVENTS = 1000;

const delivery = builtOnce(() => ({
  envelope: z.object({ events: z.array(z.unknown()).max(MAX_GENERIC_EVENTS) }),
  typed: z.object({ type: z.string() }).passthrough(),
}));

/**
 * One generic event (contract section 2) as its canonical event, or a PayloadError naming the field that is
 * wrong, under `where` (`events[2].total: …` in a webhook body, `total: …` for a line of a file). The
 * generic webhook and `npm run import` both validate with this, so a file line and a webhook event are
 * accepted or refused alike.
 */
export const genericEvent = (raw: unknown, ctx: GenericContext, where: readonly PropertyKey[] = []): CanonicalEvent => {
  const { type } = parseWith(delivery().typed, raw, where);
  // Our own schema, so an unknown type is a typo that would lose data, not a provider's event we skip.
  if (!isGenericType(type))
    throw new PayloadError(
      `${describePath([...where, 'type'])}: unknown type ${JSON.stringify(type)}; expected one of ${GENERIC_TYPES.join(', ')}`,
    );
  const common = {
    source: 'generic',
    mode: 'snapshot' as const,
    deliveryId: ctx.deliveryId,
    occurredAt: ctx.receivedAt.toISOString(),
  };
  const money = (amount: number, code: string | undefined, field: string) => {
    const iso = normaliseCurrency(code ?? ctx.baseCurrency);
    return { iso, minor: minorAmount(amount, iso, describePath([...where, field])) };
  };
  switch (type) {
    case 'customer': {
      const { id, version, deleted, ...data } = parseWith(schemas().customer, raw, where);
      return { ...common, entity: 'customer', id, version: [version], deleted, data };
    }
    case 'project': {
      const { id, version, deleted, ...data } = parseWith(schemas().project, raw, where);
      return { ...common, entity: 'project', id, version: [version], deleted, data };
    }
    case 'invoice': {
      const e = parseWith(schemas().invoice, raw, where);
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
      const e = parseWith(schemas().cost, raw, where);
      const { iso, minor } = money(e.amount, e.currency, 'amount');
      const data = { projectId: e.projectId, date: e.date, amount: minor, currency: iso };
      return { ...common, entity: 'cost', id: e.id, version: [e.version], deleted: e.deleted, data };
    }
    case 'deal': {
      const { id, version, deleted, amount, currency: code, ...rest } = parseWith(schemas().deal, raw, where);
      const value = amount === null || amount === undefined ? null : money(amount, code, 'amount');
      const data = {
        ...rest,
        amount: value?.minor ?? null,
        currency: value?.iso ?? (code ? normaliseCurrency(code) : null),
      };
      return { ...common, entity: 'deal', id, version: [version], deleted, data };
    }
    case 'survey_response': {
      const { id, version, deleted, ...data } = parseWith(schemas().survey_response, raw, where);
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
      const { id, version, deleted, ...data } = parseWith(schemas().activity, raw, where);
      return { ...common, entity: 'activity', id, version: [version], deleted, data };
    }
    case 'spend': {
      const e = parseWith(schemas().spend, raw, where);
      const { iso, minor } = money(e.amount, e.currency, 'amount');
      const data = { date: e.date, amount: minor, currency: iso, channel: e.channel, campaign: e.campaign };
      return { ...common, entity: 'spend', id: e.id, version: [e.version], deleted: e.deleted, data };
    }
  }
};

export const generic: Connector = {
  source: 'generic',
  secretVariable: 'WEBHOOK_SECRET_GENERIC',

  verify: bodyHmacVerifier('X-Signature', 'hex'),

  parse(request, ctx) {
    const { events } = parseWith(delivery().envelope, parseJson(request.body));
    return { events: events.map((raw, index) => genericEvent(raw, ctx, ['events', index])), ignored: 0 };
  },
};
