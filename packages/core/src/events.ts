import * as z from 'zod';
import { ACTIVITY_KINDS } from './activity-kinds.js';
import { builtOnce } from './built-once.js';

/**
 * Canonical events: what every connector produces and what travels on the bus. Each event is a versioned
 * snapshot of one entity, or (for CRMs that only send property changes) a timed patch of some of its fields.
 * Money is in integer minor units; currencies are upper-case ISO codes; timestamps are ISO 8601 strings,
 * and a plain date ("2026-11-03") means a local date in the metrics time zone.
 */

/**
 * Limits of every free value, one definition used by the ingest gate, the connectors and the aggregator.
 * Ids and labels enter storage keys and attribute names (see metrics/keys.ts), so they are bounded and must
 * be well-formed Unicode (a lone surrogate would be stored as U+FFFD, and two ids would share a key).
 */
export const LIMITS = {
  /** Characters of an id (customer, deal, owner, invoice…). */
  id: 256,
  /** Characters of a label (segment, channel, stage, source, lost reason, name, number, e-mail). */
  label: 256,
  /** Characters of a free text (a survey comment). */
  text: 10_000,
  /** Characters of a delivery's correlation id; a longer header is replaced by its hash. */
  deliveryId: 128,
  /** Years a date may fall in. */
  minYear: 1000,
  maxYear: 9999,
  /**
   * Digits of a decimal amount in major units (HubSpot's `amount`) before and after the point. 15 before the
   * point is what a currency without minor digits (JPY) holds exactly; in minor units of a currency with more
   * (over 90 trillion EUR) an amount beyond a safe integer counts as no amount (`dealMoney`).
   */
  decimalWhole: 15,
  decimalFraction: 20,
} as const;

const wellFormed = (value: string): boolean =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
const unicodeText = (max: number) =>
  z.string().max(max).refine(wellFormed, 'must be well-formed Unicode (no lone surrogate)');

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Strict ISO 8601: a calendar date (`2026-11-03`, a local date in the metrics zone) or a date-time with its
 * offset (`2026-11-03T10:00:00Z`, `2026-11-03T10:00:00.5+01:00`), years 1000 to 9999. Anything else
 * (no offset, a day that does not exist, a signed year, text after the date) is refused.
 */
export const isStrictIsoDate = (value: string): boolean => {
  const [, year, month, day] = DATE.exec(value) ?? DATE_TIME.exec(value) ?? [];
  if (!year || !month || !day) return false;
  const y = Number(year);
  if (y < LIMITS.minYear || y > LIMITS.maxYear) return false;
  const date = `${year}-${month}-${day}`;
  return new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
};

/** Every kind of entity canonical events describe. */
export const ENTITY_TYPES = [
  'survey_response',
  'customer',
  'project',
  'invoice',
  'credit_note',
  'cost',
  'deal',
  'activity',
  'spend',
  'stage',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * The field schemas canonical events are made of; connectors build their input schemas from them. Built on
 * first use, like every schema here: building zod schemas is what a function's cold start would otherwise pay
 * for before its first event (tests/unit/functions/import-builds-no-schema.test.ts).
 */
export const fields = builtOnce(() => ({
  id: unicodeText(LIMITS.id).min(1),
  label: unicodeText(LIMITS.label),
  text: unicodeText(LIMITS.text),
  isoDate: z
    .string()
    .refine(
      isStrictIsoDate,
      `must be an ISO 8601 date (YYYY-MM-DD) or date-time with an offset (YYYY-MM-DDThh:mm:ssZ), years ${LIMITS.minYear}-${LIMITS.maxYear}`,
    ),
  minor: z.number().int().refine(Number.isSafeInteger, 'must be a safe integer'),
  /** A plain decimal in major units, as a provider sent it (`"2500.5"`), scaled once its currency is known. */
  decimal: z
    .string()
    .regex(
      new RegExp(`^-?\\d{1,${LIMITS.decimalWhole}}(\\.\\d{1,${LIMITS.decimalFraction}})?$`),
      `must be a plain decimal: an optional "-", 1 to ${LIMITS.decimalWhole} digits, optionally "." and 1 to ${LIMITS.decimalFraction} digits`,
    ),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code'),
}));

/** The content of each entity kind, by kind. */
export const entityData = builtOnce(() => {
  const { id, text: freeText, label: labelText, minor, currency, isoDate, decimal } = fields();
  const nullableId = id.nullable().default(null);
  const text = freeText.nullable().default(null);
  const label = labelText.nullable().default(null);

  const surveyResponseData = z.object({
    score: z.number().int().min(0).max(10),
    submittedAt: isoDate,
    customerId: nullableId,
    comment: text,
    email: label,
    segment: label,
    channel: label,
  });

  const customerData = z.object({
    name: label,
    internal: z.boolean().default(false),
    segment: label,
    channel: label,
    /** The CRM user who owns the customer (account manager). */
    ownerId: nullableId,
  });

  const projectData = z.object({
    customerId: nullableId,
    status: z.enum(['open', 'closed']),
    internal: z.boolean().default(false),
  });

  const invoiceData = z.object({
    customerId: nullableId,
    projectId: nullableId,
    number: label,
    /** `issued` is the canonical word for Stripe's open/paid/uncollectible and the generic `sent`. */
    status: z.enum(['draft', 'issued', 'void']),
    invoiceDate: isoDate.nullable(),
    total: minor,
    currency,
  });

  const creditNoteData = z.object({
    customerId: nullableId,
    invoiceId: nullableId,
    status: z.enum(['issued', 'void']),
    date: isoDate,
    total: minor,
    currency,
  });

  const costData = z.object({
    projectId: nullableId,
    date: isoDate,
    amount: minor,
    currency,
  });

  const dealData = z.object({
    /** What people call the deal (Pipedrive `title`, HubSpot `dealname`): shown beside its id, never a key. */
    title: label,
    customerId: nullableId,
    ownerId: nullableId,
    status: z.enum(['open', 'won', 'lost']),
    stage: label,
    /** Minor units of `currency` (snapshot sources). Read a deal's amount with `dealMoney` (money.ts). */
    amount: minor.nullable().default(null),
    /**
     * The amount as HubSpot sent it, major units, whose currency may come in another delivery: scaled to minor
     * units by `dealMoney` with the currency the state holds. Absent from snapshot sources' deals.
     */
    amountDecimal: decimal.nullable().optional(),
    currency: currency.nullable().default(null),
    createdAt: isoDate.nullable().default(null),
    closedAt: isoDate.nullable().default(null),
    expectedCloseDate: isoDate.nullable().default(null),
    source: label,
    lostReason: label,
    /**
     * When the deal entered `stage`, as a source that knows it says (a generic ERP or CRM export); dates the
     * stage in the deal's stage history instead of the time the state was received (stage-history.ts).
     */
    stageChangedAt: isoDate.nullable().optional(),
  });

  /** A meeting, call, e-mail or task: planned while `doneAt` is null, done from `doneAt` on. */
  const activityData = z.object({
    kind: z.enum(ACTIVITY_KINDS),
    ownerId: nullableId,
    customerId: nullableId,
    dealId: nullableId,
    dueAt: isoDate.nullable().default(null),
    doneAt: isoDate.nullable().default(null),
    subject: label,
  });

  /**
   * Marketing or sales spend (an ad invoice, an event, a campaign's cost) on a date, for the cost of acquiring a
   * customer. It names the channel it was spent on, or only a campaign (metrics/acquisition.ts, `spendChannel`).
   */
  const spendData = z.object({
    date: isoDate,
    amount: minor,
    currency,
    channel: label,
    campaign: label,
  });

  /**
   * A stage of a source's deal pipeline as the provider's API describes it (read by the backfill): its label,
   * shown beside the stage ids deals carry. It counts in no figure; a label configured for the source wins.
   */
  const stageData = z.object({
    label,
    pipelineId: nullableId,
  });

  return {
    survey_response: surveyResponseData,
    customer: customerData,
    project: projectData,
    invoice: invoiceData,
    credit_note: creditNoteData,
    cost: costData,
    deal: dealData,
    activity: activityData,
    spend: spendData,
    stage: stageData,
  } as const satisfies Record<EntityType, z.ZodType>;
});

export type EntityData = { [T in EntityType]: z.output<ReturnType<typeof entityData>[T]> };

/** Lexicographic order of versions: [statusRank], [updateTimeMs, deliveryTimeMs], [version], … */
export type Version = number[];

/** Orders two versions lexicographically; a missing element is lower than any number. */
export const compareVersions = (a: Version, b: Version): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? Number.NEGATIVE_INFINITY) - (b[i] ?? Number.NEGATIVE_INFINITY);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
};
/** A source's name (`pipedrive`, `generic`): what canonical events, keys and stage labels name it by. */
export const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** `SOURCE_NAME` in words, for a refusal. */
export const SOURCE_NAME_RULE = 'a lower-case letter, then up to 31 of a-z, 0-9, "_", "-"';

const envelope = () => ({
  source: z.string().regex(SOURCE_NAME),
  id: fields().id,
  /** When the provider says the change happened (falls back to receipt time). */
  occurredAt: fields().isoDate,
  /** Correlation id of the webhook delivery that carried it. */
  deliveryId: z.string().max(LIMITS.deliveryId).optional(),
  /**
   * Set by history (a backfill, an import), never by a live webhook: the state is the same, but an old
   * detractor it brings raises no alert (engine.ts, `HISTORY_ALERT_WINDOW_MS`).
   */
  history: z.literal(true).optional(),
});

const snapshotOf = <T extends EntityType>(entity: T) =>
  z.object({
    ...envelope(),
    entity: z.literal(entity),
    mode: z.literal('snapshot').default('snapshot'),
    version: z.array(z.number().finite()).min(1).max(4),
    deleted: z.boolean().default(false),
    data: entityData()[entity],
  });

/** A field's schema without its default: a patch that does not carry a field leaves it as it is. */
const withoutDefault = (schema: z.ZodType): z.ZodType =>
  schema instanceof z.ZodDefault ? (schema.removeDefault() as z.ZodType) : schema;

/** The fields of an entity a patch may carry, each optional and without a default. */
const patchChanges = (entity: EntityType) =>
  z
    .object(
      Object.fromEntries(
        Object.entries((entityData()[entity] as z.ZodObject<z.ZodRawShape>).shape).map(([field, schema]) => [
          field,
          withoutDefault(schema as z.ZodType).optional(),
        ]),
      ),
    )
    .extend({ deleted: z.boolean().optional() });

/**
 * A timed patch: the fields in `changes` took these values at `at` (epoch ms). Per field, the newest `at`
 * wins, whatever order patches arrive in (HubSpot property changes). Fields it does not carry keep their
 * value.
 */
const patchOf = <T extends EntityType>(entity: T) =>
  z.object({
    ...envelope(),
    entity: z.literal(entity),
    mode: z.literal('patch'),
    at: z.number().finite(),
    changes: patchChanges(entity),
  });

/**
 * The schema of every canonical event: one object schema per entity kind, built on first use, which a function
 * that never parses an event (query, config, rebuild) never builds.
 */
const canonicalEventSchema = builtOnce(() =>
  z.union([...ENTITY_TYPES.map((t) => snapshotOf(t)), patchOf('deal')] as unknown as [
    z.ZodTypeAny,
    z.ZodTypeAny,
    ...z.ZodTypeAny[],
  ]),
);

/** What every canonical event carries besides its content. */
interface EventEnvelope {
  source: string;
  id: string;
  occurredAt: string;
  deliveryId?: string;
  history?: true;
}

export type SnapshotEvent<T extends EntityType = EntityType> = {
  [K in T]: EventEnvelope & {
    entity: K;
    mode: 'snapshot';
    version: Version;
    deleted: boolean;
    data: EntityData[K];
  };
}[T];

export type PatchEvent<T extends EntityType = EntityType> = {
  [K in T]: EventEnvelope & {
    entity: K;
    mode: 'patch';
    at: number;
    changes: Partial<EntityData[K]> & { deleted?: boolean };
  };
}[T];

export type CanonicalEvent = SnapshotEvent | PatchEvent;

/** Parses an untrusted value (a bus message) into a canonical event; throws a ZodError naming the field. */
export const parseCanonicalEvent = (value: unknown): CanonicalEvent =>
  canonicalEventSchema().parse(value) as CanonicalEvent;

/** A zod issue path as people read it: `events[2].total`, or `body` for the root. */
export const describePath = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? 'body'
    : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

/**
 * The ingest gate: the very schema the aggregator parses with, so a delivery answered 202 holds only events
 * that will apply. Answers the parsed event, or the first problem as `data.name: Too big: …`.
 */
export const checkCanonicalEvent = (
  value: unknown,
): { event: CanonicalEvent; problem?: undefined } | { event?: undefined; problem: string } => {
  const result = canonicalEventSchema().safeParse(value);
  if (result.success) return { event: result.data as CanonicalEvent };
  // A union's error nests the member that came closest; report the deepest issue.
  const issue = deepestIssue(result.error.issues);
  return { problem: `${describePath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}` };
};

type Issue = z.core.$ZodIssue;
const deepestIssue = (issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Issue | undefined => {
  let best: Issue | undefined;
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const nested =
      issue.code === 'invalid_union'
        ? issue.errors.map((member) => deepestIssue(member, path)).filter((i): i is Issue => i !== undefined)
        : [];
    for (const candidate of [{ ...issue, path }, ...nested])
      if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
};

/** The key an entity's state is stored under: type, source and the provider's id. */
export const entityKey = (e: { entity: EntityType; source: string; id: string }): string =>
  `${e.entity}#${e.source}#${e.id}`;

/** The `detail-type` the bus carries a canonical event under; rule patterns match on it. */
export const detailTypeOf = (entity: EntityType): string => `entity.${entity}`;
