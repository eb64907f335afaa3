import { applyEvents, MemoryStore, type MetricContext, metricModel, recompute, ThrottledError } from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mixedBatch } from '../../support/batches.js';
import { invoice, surveyResponse } from '../../support/events.js';
import { applyBatch, CrashError, crashingStore } from '../../support/faults.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };

const snapshotOf = (store: MemoryStore) => ({
  states: new Map([...store.entities].map(([k, v]) => [k, v.value])),
  aggregates: store.aggregates,
});

/** Figures equal the reference (a run without faults) and what a rebuild from the states gives. */
const expectExact = (store: MemoryStore, reference: MemoryStore) => {
  expect(snapshotOf(store)).toEqual(snapshotOf(reference));
  const rebuilt = recompute(store.states(), metricModel, ctx);
  expect(new Map([...store.aggregates])).toEqual(
    new Map([...rebuilt.aggregates].filter(([, v]) => Object.values(v).some((n) => n !== 0))),
  );
};

describe('crash consistency of the aggregator', () => {
  it('leaves every figure exact when a batch is retried after stopping before, between or after its commits', async () => {
    const batch = mixedBatch();
    const reference = new MemoryStore();
    const { commits } = await applyBatch(batch, reference, ctx);
    expect(commits).toBeGreaterThan(2);

    for (let commit = 1; commit <= commits; commit++) {
      for (const when of ['before', 'after'] as const) {
        const store = new MemoryStore();
        await expect(applyBatch(batch, crashingStore(store, { commit, when }), ctx)).rejects.toThrow(CrashError);
        // SQS hands the whole batch out again; the retry sees what the first attempt wrote.
        await applyBatch(batch, store, ctx);
        expectExact(store, reference);
      }
    }
  });

  it('stays exact for random batches, crash points and redelivery orders', async () => {
    const event = fc.oneof(
      fc
        .record({ id: fc.constantFrom('R1', 'R2', 'R3'), v: fc.integer({ min: 1, max: 3 }), score: fc.nat(10) })
        .map(({ id, v, score }) => surveyResponse(id, v, score)),
      fc
        .record({
          id: fc.constantFrom('I1', 'I2', 'I3', 'I4'),
          v: fc.integer({ min: 1, max: 3 }),
          status: fc.constantFrom('issued' as const, 'void' as const),
        })
        .map(({ id, v, status }) => invoice(id, v, { status, total: 100_00 * v })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 30 }),
        fc.nat(20),
        fc.constantFrom('before' as const, 'after' as const),
        async (raw, crashAt, when) => {
          // One state per (entity, version), as providers send.
          const batch = [...new Map(raw.map((e) => [`${e.id}@${e.version.join('.')}`, e])).values()];
          const reference = new MemoryStore();
          await applyBatch(batch, reference, ctx, 4);
          const store = new MemoryStore();
          await applyBatch(batch, crashingStore(store, { commit: crashAt + 1, when }), ctx, 4).catch((error) => {
            if (!(error instanceof CrashError)) throw error;
          });
          await applyBatch([...batch].reverse(), store, ctx, 4);
          expectExact(store, reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('retries throttling with backoff and gives up only after the retry budget', async () => {
    const store = new MemoryStore();
    const commit = store.commit.bind(store);
    let refusals = 2;
    store.commit = async (plan) => {
      if (refusals-- > 0) throw new ThrottledError('ProvisionedThroughputExceeded');
      return commit(plan);
    };
    const delays: number[] = [];
    await applyEvents([surveyResponse('R1', 1, 9)], {
      store,
      model: metricModel,
      ctx,
      now: () => new Date(),
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(delays).toHaveLength(2);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });

    store.commit = async () => {
      throw new ThrottledError('always');
    };
    await expect(
      applyEvents([surveyResponse('R2', 1, 9)], {
        store,
        model: metricModel,
        ctx,
        now: () => new Date(),
        maxRetries: 3,
        sleep: async () => {},
      }),
    ).rejects.toThrow(ThrottledError);
  });
});
