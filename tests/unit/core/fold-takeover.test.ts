import { rebuildAggregates } from '@flash/app';
import {
  FOLD_WINDOW,
  FOLD_WINDOWS_PER_CALL,
  FoldPendingError,
  MemoryStore,
  type MetricContext,
  memoryRebuildStore,
  metricModel,
  recompute,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { deal, invoice, surveyResponse } from '../../support/events.js';
import { applyBatch, crashingStore, signal } from '../../support/faults.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };

const nonZero = (aggregates: Map<string, Record<string, number>>) =>
  new Map([...aggregates].filter(([, v]) => Object.values(v).some((n) => n !== 0)));

describe('a folder that stalls in the middle of planning its fold', () => {
  it('writes nothing when it wakes after another process finished its fold and folded on', async () => {
    const store = new MemoryStore();
    // C1 has two open deals and an issued invoice: active, not a prospect.
    await applyBatch([deal('D1', 1), deal('D2', 1), invoice('I1', 1, { status: 'issued', total: 100_00 })], store, ctx);
    expect(store.aggregates.get('customers')).toEqual({ active: 1 });

    // Process "first" folds D1's loss; it stalls reading the customer rollups (its first level read).
    const first = crashingStore(store, { write: Number.POSITIVE_INFINITY, when: 'before' });
    const loadNodes = first.loadNodes;
    const stalled = signal();
    const wake = signal();
    first.loadNodes = async (keys) => {
      stalled.fire();
      await wake.fired;
      return loadNodes(keys);
    };
    const firstRun = applyBatch([deal('D1', 2, { status: 'lost', closedAt: '2026-11-20T10:00:00Z' })], first, ctx, 12, {
      folder: 'first',
    });
    await stalled.fired;

    // Its lease expires; "second" finishes the stopped fold, then folds its own batch (another invoice of C1).
    await applyBatch([invoice('I2', 1, { status: 'issued', total: 50_00 })], store, ctx, 12, {
      folder: 'second',
      now: new Date('2026-11-23T10:01:00Z'),
    });
    const expected = nonZero(recompute(store.states(), metricModel, ctx).aggregates);
    expect(store.aggregates).toEqual(expected); // exact so far: D2 keeps C1 active
    expect(store.aggregates.get('customers')).toEqual({ active: 1 });

    // "first" wakes: its fold was finished by "second"; it must write nothing.
    wake.fire();
    await firstRun.catch(() => {});
    expect(store.aggregates.get('customers')).toEqual({ active: 1 });
    expect(store.aggregates).toEqual(expected);
  });
});

/** A backlog of journals longer than one call folds (10 windows of 99), each with a single survey response. */
const backlogOf = async (store: MemoryStore, responses: number) => {
  // A stopped process holds the lease, so the commits' folds give up and the journals wait.
  store.fold.holder = 'stopped';
  store.fold.expiresAt = Date.parse('2026-11-23T10:00:30Z');
  const batch = Array.from({ length: responses }, (_, i) => surveyResponse(`B${i}`, 1, 9));
  await expect(applyBatch(batch, store, ctx, 2)).rejects.toThrow(FoldPendingError);
  expect(store.journals.size).toBe(responses);
};

describe('a backlog longer than one call folds', () => {
  it('rebuild folds every waiting journal before it recomputes, so none counts twice', async () => {
    const store = new MemoryStore();
    const responses = FOLD_WINDOW * FOLD_WINDOWS_PER_CALL + 5;
    await backlogOf(store, responses);
    // The aggregator is paused; the operator rebuilds after the stopped holder's lease expired.
    const later = new Date('2026-11-23T10:05:00Z');
    await rebuildAggregates({
      store: memoryRebuildStore(store),
      model: metricModel,
      ctx,
      now: () => later,
      mode: 'rebuild',
    });
    // The aggregator resumes: whatever journals rebuild left are folded on top of the rebuilt figures.
    await applyBatch([], store, ctx, 12, { now: later });
    expect(store.journals.size).toBe(0);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses, promoters: responses });
  });

  it('a redelivered batch that returns successfully has its own journal folded', async () => {
    const store = new MemoryStore();
    await backlogOf(store, 2 * FOLD_WINDOW * FOLD_WINDOWS_PER_CALL + 1);
    store.fold.holder = undefined;
    const batch = [surveyResponse('R1', 1, 9)];
    // First delivery: its journal waits behind the backlog; it fails, to be redelivered.
    await expect(applyBatch(batch, store, ctx)).rejects.toThrow(FoldPendingError);
    // Redelivery: the event is unchanged now. If the call succeeds, SQS deletes the message and nothing
    // else will ever fold R1's journal unless more traffic arrives.
    const redelivered = await applyBatch(batch, store, ctx).then(
      () => 'succeeded',
      () => 'failed',
    );
    // Either the redelivery fails again (and is redelivered on) or it returns with every journal folded.
    expect(
      redelivered === 'failed' || store.journals.size === 0,
      `${redelivered}, ${store.journals.size} journals wait`,
    ).toBe(true);
  });
});
