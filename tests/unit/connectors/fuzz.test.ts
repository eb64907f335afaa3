import { applyEvents, MemoryStore, metricModel, parseCanonicalEvent } from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactFixture } from '../../support/fixtures.js';
import { memoryPublisher, postSigned } from './helpers.js';

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

/** Values at the edges of the canonical limits, which random JSON almost never reaches. */
const edgeValues = fc.constantFrom<unknown>(
  'x'.repeat(257),
  'x'.repeat(10_001),
  '-002025-06-15T00:00:00Z',
  '12',
  '2026-11-04 (a comment Date.parse skips)',
  '2026-02-30',
  '2026-11-05T08:00:00',
  '\ud800',
  'U7|#',
  1e308,
  -1,
  2 ** 53,
);

const mutatedSeed = (seeds: unknown[]) =>
  fc
    .constantFrom(...seeds)
    .chain((seed) =>
      fc.tuple(fc.constant(seed), fc.constantFrom(...pathsOf(seed)), fc.oneof(fc.jsonValue(), edgeValues)),
    )
    .map(([seed, path, value]) => JSON.stringify(replaced(seed, path, value)));

/**
 * 202 or a 4xx, and a 202 only when every published entry, carried as the bus carries it (JSON), parses with
 * the aggregator's schema and applies: what is accepted is counted, never dead-lettered for its content.
 */
const answersOnly202Or4xx = async (source: string, body: Buffer | string) => {
  const { publisher, published } = memoryPublisher();
  const result = await postSigned(source, body, { publisher });
  const status = result.statusCode ?? 0;
  expect(status === 202 || (status >= 400 && status < 500), `${status}: ${result.body}`).toBe(true);
  if (status !== 202) return;
  const events = published.map((entry) => parseCanonicalEvent(JSON.parse(JSON.stringify(entry.detail))));
  const ctx = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
  await applyEvents(events, { store: new MemoryStore(), model: metricModel, ctx, now: () => new Date() });
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
