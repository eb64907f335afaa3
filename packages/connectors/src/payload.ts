import { InvalidValueError, toMinor } from '@flash/core';
import type { z } from 'zod';
import { PayloadError } from './errors.js';

/** Parses the raw body as JSON, or says where it stops being JSON. */
export const parseJson = (body: Buffer): unknown => {
  if (body.length === 0) throw new PayloadError('body is empty; expected JSON');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new PayloadError(`body is not valid JSON: ${(error as Error).message}`);
  }
};

const describePath = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? 'body'
    : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

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
