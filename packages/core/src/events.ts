import * as z from 'zod';

/**
 * Canonical events: what every connector produces and what travels on the bus. Each event is a versioned
 * snapshot of one entity, or (for CRMs that only send property changes) a timed patch of some of its fields.
 * Money is in integer minor units; currencies are upper-case ISO codes; timestamps are ISO 8601 strings,
 * and a plain date ("2026-11-03") means a local date in the metrics time zone.
 */

const id = z.string().min(1).max(256);
const nullableId = id.nullable().default(null);
const text = z.string().max(10_000).nullable().default(null);
const label = z.string().max(256).nullable().default(null);
const minor = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code');
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or timestamp');

export const surveyResponseData = z.object({
  score: z.number().int().min(0).max(10),
  submittedAt: isoDate,
  customerId: nullableId,
  comment: text,
  email: label,
  segment: label,
  channel: label,
});

export const customerData = z.object({
  name: label,
  internal: z.boolean().default(false),
  segment: label,
  channel: label,
  /** The CRM user who owns the customer (account manager). */
  ownerId: nullableId,
});

export const projectData = z.object({
  customerId: nullableId,
  status: z.enum(['open', 'closed']),
  internal: z.boolean().default(false),
});

export const invoiceData = z.object({
  customerId: nullableId,
  projectId: nullableId,
  number: label,
  /** `issued` is the canonical word for Stripe's open/paid/uncollectible and the generic `sent`. */
  status: z.enum(['draft', 'issued', 'void']),
  invoiceDate: isoDate.nullable(),
  total: minor,
  currency,
});

export const creditNoteData = z.object({
  customerId: nullableId,
  invoiceId: nullableId,
  status: z.enum(['issued', 'void']),
  date: isoDate,
  total: minor,
  currency,
});

export const costData = z.object({
  projectId: nullableId,
  date: isoDate,
  amount: minor,
  currency,
});

export const dealData = z.object({
  customerId: nullableId,
  ownerId: nullableId,
  status: z.enum(['open', 'won', 'lost']),
  stage: label,
  amount: minor.nullable().default(null),
  currency: currency.nullable().default(null),
  createdAt: isoDate.nullable().default(null),
  closedAt: isoDate.nullable().default(null),
  expectedCloseDate: isoDate.nullable().default(null),
  source: label,
  lostReason: label,
});

export const entityData = {
  survey_response: surveyResponseData,
  customer: customerData,
  project: projectData,
  invoice: invoiceData,
  credit_note: creditNoteData,
  cost: costData,
  deal: dealData,
} as const;

export type EntityType = keyof typeof entityData;
export const ENTITY_TYPES = Object.keys(entityData) as EntityType[];
export type EntityData = { [T in EntityType]: z.output<(typeof entityData)[T]> };

/** Lexicographic order of versions: [statusRank], [updateTimeMs, deliveryTimeMs], [version], … */
export const versionSchema = z.array(z.number().finite()).min(1).max(4);
export type Version = z.output<typeof versionSchema>;

const envelope = {
  source: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  id,
  /** When the provider says the change happened (falls back to receipt time). */
  occurredAt: isoDate,
  /** Correlation id of the webhook delivery that carried it. */
  deliveryId: z.string().max(256).optional(),
};

const snapshotOf = <T extends EntityType>(entity: T) =>
  z.object({
    ...envelope,
    entity: z.literal(entity),
    mode: z.literal('snapshot').default('snapshot'),
    version: versionSchema,
    deleted: z.boolean().default(false),
    data: entityData[entity],
  });

/**
 * A timed patch: the fields in `changes` took these values at `at` (epoch ms). Per field, the newest `at`
 * wins, whatever order patches arrive in (HubSpot property changes).
 */
const patchOf = <T extends EntityType>(entity: T) =>
  z.object({
    ...envelope,
    entity: z.literal(entity),
    mode: z.literal('patch'),
    at: z.number().finite(),
    changes: (entityData[entity] as z.ZodObject<z.ZodRawShape>).partial().extend({ deleted: z.boolean().optional() }),
  });

export const canonicalEventSchema = z.union([...ENTITY_TYPES.map((t) => snapshotOf(t)), patchOf('deal')] as unknown as [
  z.ZodTypeAny,
  z.ZodTypeAny,
  ...z.ZodTypeAny[],
]);

export type SnapshotEvent<T extends EntityType = EntityType> = {
  [K in T]: {
    entity: K;
    source: string;
    id: string;
    occurredAt: string;
    deliveryId?: string;
    mode: 'snapshot';
    version: Version;
    deleted: boolean;
    data: EntityData[K];
  };
}[T];

export type PatchEvent<T extends EntityType = EntityType> = {
  [K in T]: {
    entity: K;
    source: string;
    id: string;
    occurredAt: string;
    deliveryId?: string;
    mode: 'patch';
    at: number;
    changes: Partial<EntityData[K]> & { deleted?: boolean };
  };
}[T];

export type CanonicalEvent = SnapshotEvent | PatchEvent;

/** Parses an untrusted value (a bus message) into a canonical event; throws a ZodError naming the field. */
export const parseCanonicalEvent = (value: unknown): CanonicalEvent =>
  canonicalEventSchema.parse(value) as CanonicalEvent;

/** The key an entity's state is stored under: type, source and the provider's id. */
export const entityKey = (e: { entity: EntityType; source: string; id: string }): string =>
  `${e.entity}#${e.source}#${e.id}`;

/** The `detail-type` the bus carries a canonical event under; rule patterns match on it. */
export const detailTypeOf = (entity: EntityType): string => `entity.${entity}`;
