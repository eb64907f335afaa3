import {
  ALERT_RAISED,
  applyEvents,
  type CommitPlan,
  DETRACTOR_DETECTED,
  MemoryStore,
  metricModel,
  type SnapshotEvent,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ctx, isAlertMark, memoryPipeline } from '../../support/alert-pipeline.js';
import { surveyResponse } from '../../support/events.js';
import { CrashError, crashingStore } from '../../support/faults.js';

type Response = SnapshotEvent<'survey_response'>;

/**
 * The reference, from the definition alone: after each batch a response's applied state is its newest
 * version delivered so far; a response alerts once, with the first applied state that is a detractor
 * (score 0-6, not deleted).
 */
const expectedAlerts = (batches: readonly Response[][]): Map<string, number> => {
  const applied = new Map<string, Response>();
  const alerts = new Map<string, number>();
  for (const batch of batches) {
    for (const event of batch) {
      const current = applied.get(event.id);
      if (!current || (event.version[0] ?? 0) > (current.version[0] ?? 0)) applied.set(event.id, event);
    }
    for (const [id, state] of applied)
      if (!alerts.has(id) && !state.deleted && state.data.score <= 6) alerts.set(id, state.data.score);
  }
  return alerts;
};

const response = fc.record({
  id: fc.constantFrom('R1', 'R2', 'R3', 'R4'),
  version: fc.integer({ min: 1, max: 4 }),
  score: fc.nat(10),
  deleted: fc.boolean(),
});

describe('detractor alerts at every crash point of the aggregator', () => {
  it('raise exactly one alert per response whose applied state was ever a detractor, and none for the others', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(response, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 5 }),
        fc.array(
          fc.record({
            // Where the first attempt of each batch stops: at a write (a commit or a step of the fold), between
            // announcing and marking, or not at all.
            stop: fc.constantFrom('write', 'mark', 'none'),
            write: fc.integer({ min: 1, max: 12 }),
            when: fc.constantFrom('before' as const, 'after' as const),
          }),
          { minLength: 5, maxLength: 5 },
        ),
        async (raw, stops) => {
          // One state per (response, version), as providers send; deliveries may repeat it.
          const states = new Map<string, Response>();
          const batches = raw.map((batch) =>
            batch.map(({ id, version, score, deleted }) => {
              const key = `${id}@${version}`;
              const state = states.get(key) ?? surveyResponse(id, version, score, undefined, { deleted });
              states.set(key, state);
              return state;
            }),
          );

          const store = new MemoryStore();
          const commit = store.commit.bind(store);
          let failMark = false;
          store.commit = async (plan: CommitPlan) => {
            if (failMark && isAlertMark(plan, store)) {
              failMark = false;
              throw new CrashError('stopped before marking');
            }
            return commit(plan);
          };
          const pipeline = memoryPipeline({ store });
          for (const [i, batch] of batches.entries()) {
            const stop = stops[i];
            if (stop?.stop === 'write') {
              // The first attempt writes some of its commits and fold (or nothing) and dies; SQS hands the batch out again.
              await applyEvents(batch, {
                store: crashingStore(store, stop),
                model: metricModel,
                ctx,
                now: () => new Date(),
                maxItemsPerCommit: 3,
              }).catch((error: unknown) => {
                if (!(error instanceof CrashError)) throw error;
              });
            }
            failMark = stop?.stop === 'mark';
            await pipeline.ingest(...batch);
            await pipeline.settle();
            if (stop?.stop === 'mark') {
              // The provider redelivers the batch: what was announced but not marked is announced again.
              await pipeline.ingest(...batch);
              await pipeline.settle();
            }
          }

          const expected = expectedAlerts(batches);
          const recorded = new Map(
            [...pipeline.alerts.stored.values()].map((s) => [String(s.alert.responseId), Number(s.alert.score)]),
          );
          expect(recorded).toEqual(expected);
          expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(expected.size);
          expect(new Set(pipeline.bus.ofType(ALERT_RAISED).map((e) => (e.detail as Response).id))).toEqual(
            new Set(expected.keys()),
          );
          for (const { value } of store.entities.values()) expect(value.alert?.status).not.toBe('pending');
        },
      ),
      { numRuns: 150 },
    );
  });
});
