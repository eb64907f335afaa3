import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactFixture } from '../../support/fixtures.js';
import { postSigned } from './helpers.js';

/** One real payload per source, to mutate: random values in real shapes reach deeper than random JSON. */
const SEEDS: Record<string, string[]> = {
  stripe: ['stripe/invoice.paid.json', 'stripe/credit_note.created.json'],
  hubspot: ['hubspot/deal.propertyChange.batch.json', 'hubspot/object.propertyChange.deal-generic.json'],
  pipedrive: ['pipedrive/change.deal.json', 'pipedrive/delete.deal.json'],
  typeform: ['typeform/form_response.nps.json'],
  delighted: ['delighted/survey_response.updated.json'],
  generic: [],
};
const GENERIC_SEED = {
  events: [
    { type: 'deal', id: 'D1', version: 5, status: 'open', amount: 17707, currency: 'EUR', createdAt: '2026-09-01' },
    { type: 'survey_response', id: 'R1', version: 1, score: 9, submittedAt: '2026-11-05T08:00:00Z' },
  ],
};

/** Every path to a value inside `value`. */
const pathsOf = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
};

const replaced = (value: unknown, path: readonly (string | number)[], replacement: unknown): unknown => {
  const [key, ...rest] = path;
  if (key === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[key] = replaced(copy[key], rest, replacement);
  return copy;
};

const mutatedSeed = (seeds: unknown[]) =>
  fc
    .constantFrom(...seeds)
    .chain((seed) => fc.tuple(fc.constant(seed), fc.constantFrom(...pathsOf(seed)), fc.jsonValue()))
    .map(([seed, path, value]) => JSON.stringify(replaced(seed, path, value)));

const answersOnly202Or4xx = async (source: string, body: Buffer | string) => {
  const result = await postSigned(source, body);
  const status = result.statusCode ?? 0;
  expect(status === 202 || (status >= 400 && status < 500), `${status}: ${result.body}`).toBe(true);
};

describe.each(Object.keys(SEEDS))('fuzzing the %s connector through the ingest handler', (source) => {
  const seeds = source === 'generic' ? [GENERIC_SEED] : (SEEDS[source] ?? []).map((f) => JSON.parse(compactFixture(f)));

  it('answers 202 or 4xx to arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), (bytes) => answersOnly202Or4xx(source, Buffer.from(bytes))),
      { numRuns: 150 },
    );
  });

  it('answers 202 or 4xx to arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (value) => answersOnly202Or4xx(source, JSON.stringify(value) ?? 'null')),
      { numRuns: 150 },
    );
  });

  it('answers 202 or 4xx to its real payloads with one value replaced by arbitrary JSON', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSeed(seeds), (body) => answersOnly202Or4xx(source, body)),
      { numRuns: 400 },
    );
  });
});
