import { builtOnce, describePath, fields, InvalidValueError, LIMITS, toMinor } from '@flash/core';
import * as z from 'zod';
import { PayloadError } from './errors.js';

/** Parses the raw body as JSON, or says where it stops being JSON. */
export const parseJson = (body: Buffer): unknown => {
  if (body.length === 0) throw new PayloadError('body is empty; expected JSON');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    // V8's message quotes the body around the error, e-mail addresses and comments included: keep only the
    // position, and not the SyntaxError as cause, which a logger would serialise.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new PayloadError(`body is not valid JSON${position ? ` (at position ${position})` : ''}`);
  }
};

/** Validates with a zod schema; the error names the first offending field, e.g. `events[2].total: expected number`. */
export const parseWith = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = describePath([...prefix, ...(issue?.path ?? [])]);
  throw new PayloadError(`${where}: ${issue?.message ?? 'invalid'}`);
};

/** Major units to minor units, as a 400 naming the field when the amount cannot be represented. */
export const minorAmount = (major: number, currency: string, where: string): number => {
  try {
    return toMinor(major, currency);
  } catch (error) {
    if (error instanceof InvalidValueError) throw new PayloadError(`${where}: ${error.message}`);
    throw error;
  }
};

export const epochSecondsToIso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export const epochMsToIso = (ms: number): string => new Date(ms).toISOString();

/** The largest time a JS Date can hold; beyond it toISOString throws. */
const MAX_EPOCH_MS = 8.64e15;

/** An optional field that is absent or null in the provider's payload, as null. */
export const orNull = <S extends z.ZodType>(schema: S) => schema.nullish().transform((v) => v ?? null);

/**
 * A name people read (a deal's title, a stage's label): shown beside an id, never part of a key, so a provider's
 * over-long or malformed text is trimmed to what the canonical label holds (`LIMITS.label` characters, lone
 * surrogates as U+FFFD) rather than refusing the whole delivery. Empty is no name.
 */
export const displayName = (value: string | null | undefined): string | null => {
  const text = (value ?? '').trim().replace(LONE_SURROGATE, '\uFFFD');
  if (!text) return null;
  // The schema counts UTF-16 units: cut there, never inside a surrogate pair.
  const cut = text.slice(0, LIMITS.label);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
};
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/i;

const validDay = (day: string): boolean => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2026-02-31 over into March; a real date survives the round trip.
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
};

/**
 * The field schemas providers' payloads share, built on the first delivery that needs one (a function's import
 * builds no schema: tests/unit/functions/import-builds-no-schema.test.ts).
 */
export const payloadFields = builtOnce(() => ({
  epochMs: z.number().int().min(0).max(MAX_EPOCH_MS),
  epochSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_EPOCH_MS / 1000),
  /** A provider's id, sent as a string or a number; canonical ids are strings. */
  externalId: z
    .union([fields().id, z.number().int().nonnegative().refine(Number.isSafeInteger, 'id too large')])
    .transform(String),
  currencyCode: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'expected an ISO 4217 currency code')
    .transform((code) => code.toUpperCase()),
  /** A date or date-time as the canonical events hold it: strict ISO 8601 (see core's `fields().isoDate`). */
  dateText: fields().isoDate,
  /**
   * A point in time as epoch ms: `2026-03-18 09:12:44` or ISO 8601 (without a zone: UTC), or a number / digit
   * string in epoch seconds (up to 11 digits) or milliseconds.
   */
  utcTimestamp: z.union([z.string(), z.number().nonnegative()]).transform((value, ctx) => {
    const text = String(value).trim();
    if (/^\d{1,15}$/.test(text)) return text.length <= 11 ? Number(text) * 1000 : Number(text);
    const [, day = '', time = '', zone = 'Z'] = TIMESTAMP.exec(text) ?? [];
    const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
    const ms = validDay(day) ? Date.parse(`${day}T${time}${offset}`) : Number.NaN;
    if (!Number.isNaN(ms)) return ms;
    ctx.addIssue({ code: 'custom', message: `expected a UTC timestamp such as 2026-03-18 09:12:44, got "${text}"` });
    return z.NEVER;
  }),
}));
