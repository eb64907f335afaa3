import {
  applyEvents,
  FOLD_WINDOW,
  FOLD_WINDOWS_PER_CALL,
  FoldPendingError,
  MemoryStore,
  type MetricContext,
  metricModel,
  recompute,
  ThrottledError,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mixedBatch } from '../../support/batches.js';
import { invoice, surveyResponse } from '../../support/events.js';
import { applyBatch, CrashError, crashingStore, signal, writesOf } from '../../support/faults.js';

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
  it('leaves every figure exact when a batch is retried after stopping before or after any of its writes', async () => {
    const batch = mixedBatch();
    const reference = new MemoryStore();
    const writes = await writesOf(reference, (store) => applyBatch(batch, store, ctx));
    // Several commits, the lease, the fold's record, its items one by one, its end, the release.
    expect(new Set(writes)).toEqual(
      new Set(['commit', 'acquireFold', 'beginFold', 'applyFold', 'endFold', 'releaseFold']),
    );
    expect(writes.filter((w) => w === 'commit').length).toBeGreaterThan(2);

    for (let write = 1; write <= writes.length; write++) {
      for (const when of ['before', 'after'] as const) {
        for (const retry of ['same process', 'another process'] as const) {
          const store = new MemoryStore();
          await expect(
            applyBatch(batch, crashingStore(store, { write, when }), ctx, 12, { folder: 'first' }),
          ).rejects.toThrow(CrashError);
          // SQS hands the whole batch out again: to the same process, which takes its own lease back, or to
          // another one, which waits for the lease the stopped one kept to expire (30 s).
          const process =
            retry === 'same process'
              ? { folder: 'first' }
              : { folder: 'second', now: new Date('2026-11-23T10:01:00Z') };
          await applyBatch(batch, store, ctx, 12, process);
          expect(store.journals.size, `${when} write ${write} (${writes[write - 1]}), ${retry}`).toBe(0);
          expectExact(store, reference);
        }
      }
    }
  });

  it('has a redelivery wait while the stopped process still holds the lease, then fold once it expired', async () => {
    const batch = mixedBatch();
    const reference = new MemoryStore();
    await applyBatch(batch, reference, ctx);
    const store = new MemoryStore();
    const writes = await writesOf(new MemoryStore(), (s) => applyBatch(batch, s, ctx));
    // Stop after the fold wrote its first items: the lease is held, the fold half done.
    const someFoldItems = writes.indexOf('applyFold') + 5;
    expect(writes[someFoldItems - 1]).toBe('applyFold');
    await expect(
      applyBatch(batch, crashingStore(store, { write: someFoldItems, when: 'after' }), ctx, 12, { folder: 'first' }),
    ).rejects.toThrow(CrashError);
    expect(store.fold.holder).toBe('first');
    // Within the lease: the redelivered batch commits nothing new and cannot fold; it fails, to be retried.
    await expect(
      applyBatch(batch, store, ctx, 12, { folder: 'second', now: new Date('2026-11-23T10:00:10Z') }),
    ).rejects.toThrow('wait for the fold lease');
    expect(store.journals.size).toBeGreaterThan(0);
    // After it: the second process finishes the stopped fold, then folds the rest.
    await applyBatch(batch, store, ctx, 12, { folder: 'second', now: new Date('2026-11-23T10:00:31Z') });
    expect(store.journals.size).toBe(0);
    expectExact(store, reference);
  });

  it('lets a folder that stalled past its lease write nothing when it wakes', async () => {
    const batch = mixedBatch();
    const reference = new MemoryStore();
    await applyBatch(batch, reference, ctx);
    const store = new MemoryStore();
    // The first folder stops right after beginning its fold (its record written, nothing folded yet).
    let begun = false;
    const stalled = crashingStore(store, { write: Number.POSITIVE_INFINITY, when: 'before' });
    const beginFold = stalled.beginFold;
    const wake = signal();
    const paused = signal();
    stalled.beginFold = async (...args) => {
      const seq = await beginFold(...args);
      if (!begun) {
        begun = true;
        paused.fire();
        await wake.fired;
      }
      return seq;
    };
    const first = applyBatch(batch, stalled, ctx, 12, { folder: 'first' });
    await paused.fired;
    // Another process takes over after the lease expired, finishes the fold, and folds on.
    await applyBatch(batch, store, ctx, 12, { folder: 'second', now: new Date('2026-11-23T10:01:00Z') });
    expectExact(store, reference);
    // The first wakes and goes on with its fold: every write is refused or skipped, nothing counts twice.
    wake.fire();
    await first.catch(() => {});
    expectExact(store, reference);
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
        fc.nat(60),
        fc.constantFrom('before' as const, 'after' as const),
        async (raw, crashAt, when) => {
          // One state per (entity, version), as providers send.
          const batch = [...new Map(raw.map((e) => [`${e.id}@${e.version.join('.')}`, e])).values()];
          const reference = new MemoryStore();
          await applyBatch(batch, reference, ctx, 4);
          const store = new MemoryStore();
          await applyBatch(batch, crashingStore(store, { write: crashAt + 1, when }), ctx, 4).catch((error) => {
            if (!(error instanceof CrashError)) throw error;
          });
          await applyBatch([...batch].reverse(), store, ctx, 4);
          expectExact(store, reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('folds a backlog in bounded calls: a batch whose journal waits behind it fails, to be redelivered, and counts once', async () => {
    const store = new MemoryStore();
    const backlog = FOLD_WINDOW * FOLD_WINDOWS_PER_CALL + 1;
    for (let i = 0; i < backlog; i++)
      await store.commit({
        entities: [],
        journal: {
          id: `2026-11-23T09:00:00.000Z#${String(i).padStart(4, '0')}`,
          deltas: new Map([['nps|2026-11', { responses: 1 }]]),
        },
      });
    const batch = [surveyResponse('R1', 1, 9)];
    await expect(applyBatch(batch, store, ctx)).rejects.toThrow(FoldPendingError);
    expect(store.journals.size).toBe(2);
    // The redelivery: the event is unchanged now, and its journal folds with the rest.
    await applyBatch(batch, store, ctx);
    expect(store.journals.size).toBe(0);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: backlog + 1, promoters: 1 });
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
