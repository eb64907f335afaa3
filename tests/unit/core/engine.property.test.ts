import {
  applyEvents,
  type CanonicalEvent,
  compareVersions,
  entityKey,
  MemoryStore,
  type MetricContext,
  metricModel,
  recompute,
  series,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { surveyResponse } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');

/** Several states per survey response: edited scores, moved dates, deletions. */
const surveyStates = fc
  .array(
    fc.record({
      id: fc.constantFrom('R1', 'R2', 'R3', 'R4', 'R5'),
      version: fc.integer({ min: 1, max: 6 }),
      score: fc.integer({ min: 0, max: 10 }),
      submittedAt: fc.constantFrom(
        '2026-10-31T22:30:00Z',
        '2026-10-31T23:30:00Z',
        '2026-11-15T12:00:00Z',
        '2026-12-01T00:00:00+01:00',
      ),
      deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    { minLength: 1, maxLength: 40 },
  )
  // One state per (id, version): a provider never sends two different states under the same version.
  .map((rows) => [...new Map(rows.map((r) => [`${r.id}@${r.version}`, r])).values()])
  .map((rows) => rows.map((r) => surveyResponse(r.id, r.version, r.score, r.submittedAt, { deleted: r.deleted })));

/** Delivery as it happens: shuffled, some events twice, cut into batches of random sizes. */
const deliveries = <T>(events: T[]) =>
  fc
    .tuple(fc.shuffledSubarray(events, { minLength: 0, maxLength: events.length }), fc.integer({ min: 1, max: 12 }))
    .chain(([dupes, maxBatch]) =>
      fc.tuple(
        fc.shuffledSubarray([...events, ...dupes], {
          minLength: events.length + dupes.length,
          maxLength: events.length + dupes.length,
        }),
        fc.constant(maxBatch),
      ),
    );

/** The oracle, independent of the engine: each entity ends at its highest version. */
const newestPerEntity = (events: CanonicalEvent[]) => {
  const newest = new Map<string, CanonicalEvent>();
  for (const e of events) {
    const seen = newest.get(entityKey(e));
    if (e.mode === 'snapshot' && (!seen || (seen.mode === 'snapshot' && compareVersions(e.version, seen.version) > 0)))
      newest.set(entityKey(e), e);
  }
  return newest;
};

describe('delta engine, property', () => {
  it('equals a from-scratch recomputation for any order, duplication and batching of states', async () => {
    await fc.assert(
      fc.asyncProperty(
        surveyStates.chain((events) => fc.tuple(fc.constant(events), deliveries(events))),
        async ([events, [delivered, maxBatch]]) => {
          const store = new MemoryStore();
          for (let i = 0; i < delivered.length; i += maxBatch) {
            await applyEvents(delivered.slice(i, i + maxBatch), {
              store,
              model: metricModel,
              ctx,
              now,
              maxItemsPerCommit: 7,
            });
          }
          const expected = newestPerEntity(events);
          const expectedStates = [...expected.values()].map((e) => ({
            key: entityKey(e),
            version: e.mode === 'snapshot' ? e.version : [],
            deleted: e.mode === 'snapshot' && e.deleted,
          }));
          expect(
            [...store.entities.entries()]
              .map(([key, s]) => ({ key, version: s.value.version, deleted: s.value.deleted }))
              .sort((a, b) => a.key.localeCompare(b.key)),
          ).toEqual(expectedStates.sort((a, b) => a.key.localeCompare(b.key)));
          expect(store.aggregates).toEqual(recompute(store.states(), metricModel, ctx).aggregates);
          // And against a hand count of the newest live states.
          const responses = [...expected.values()].filter((e) => e.mode === 'snapshot' && !e.deleted).length;
          // Each response counts in its month (and again in its day, which this sum leaves out).
          const counted = [...store.aggregates]
            .filter(([key]) => key.startsWith(`${series.nps}|`))
            .reduce((sum, [, v]) => sum + (v.responses ?? 0), 0);
          expect(counted).toBe(responses);
        },
      ),
      { numRuns: 300 },
    );
  });
});
