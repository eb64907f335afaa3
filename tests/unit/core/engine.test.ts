import {
  applyEvent,
  applyEvents,
  type CommitPlan,
  ConflictError,
  type FoldPlan,
  MemoryStore,
  type MetricContext,
  type MetricModel,
  metricModel,
  recompute,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { dealPatch, surveyResponse } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');
const apply = (store: MemoryStore, events: Parameters<typeof applyEvents>[0], model: MetricModel = metricModel) =>
  applyEvents(events, { store, model, ctx, now });

describe('delta engine', () => {
  it('adds a new survey response to its month', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 1, 9)]);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
  });

  it('changes nothing for a duplicate or an older version', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 2, 3)]);
    const result = await apply(store, [surveyResponse('R1', 2, 3), surveyResponse('R1', 1, 10)]);
    expect(result).toMatchObject({ changed: 0, unchanged: 2, commits: 0 });
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, detractors: 1 });
  });

  it('moves an edited response between buckets without counting it twice', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 1, 6)]);
    await apply(store, [surveyResponse('R1', 2, 9)]);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
  });

  it('moves a response whose submission date changes to the other month', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 1, 8, '2026-10-31T12:00:00Z')]);
    await apply(store, [surveyResponse('R1', 2, 8, '2026-11-02T12:00:00Z')]);
    expect(store.aggregates.has('nps|2026-10')).toBe(false);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, passives: 1 });
  });

  it('removes exactly what a deleted entity once added, and keeps it deleted against older versions', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 1, 10), surveyResponse('R2', 1, 0)]);
    await apply(store, [surveyResponse('R1', 2, 10, undefined, { deleted: true })]);
    await apply(store, [surveyResponse('R1', 1, 10)]);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, detractors: 1 });
  });

  it('folds several states of one entity in a batch to the newest, whatever their order', async () => {
    const store = new MemoryStore();
    const result = await apply(store, [
      surveyResponse('R1', 3, 9),
      surveyResponse('R1', 1, 2),
      surveyResponse('R1', 2, 7),
    ]);
    expect(result).toMatchObject({ changed: 1, unchanged: 2, commits: 1 });
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
  });

  it('writes a hot aggregate once per batch, with the summed delta', async () => {
    const store = new MemoryStore();
    const plans: CommitPlan[] = [];
    const folds: FoldPlan[] = [];
    const commit = store.commit.bind(store);
    store.commit = async (plan) => {
      plans.push(plan);
      return commit(plan);
    };
    const applyFold = store.applyFold.bind(store);
    store.applyFold = async (plan) => {
      folds.push(plan);
      return applyFold(plan);
    };
    await apply(
      store,
      Array.from({ length: 50 }, (_, i) => surveyResponse(`R${i}`, 1, i % 11)),
    );
    expect(plans).toHaveLength(1);
    expect(plans[0]?.entities).toHaveLength(50);
    expect(folds).toHaveLength(1);
    // Scores 0..10 four times over (7 detractors, 2 passives, 2 promoters each), then 0..5: six more detractors.
    const aggregates = folds[0]?.aggregates ?? [];
    expect(aggregates.filter((a) => a.key === 'nps|2026-11')).toEqual([
      { key: 'nps|2026-11', delta: { responses: 50, detractors: 34, passives: 8, promoters: 8 } },
    ]);
    // Every aggregate the batch touches (the month's and the day's NPS, customer C1's month for the breakdowns)
    // is written once.
    expect(aggregates.map((a) => a.key).sort()).toEqual(['bycust#2026-11|C1', 'nps-day|2026-11-05', 'nps|2026-11']);
  });

  it('splits a batch too large for one commit into complete, smaller commits', async () => {
    const store = new MemoryStore();
    const events = Array.from({ length: 30 }, (_, i) => surveyResponse(`R${i}`, 1, 9));
    const result = await applyEvents(events, { store, model: metricModel, ctx, now, maxItemsPerCommit: 10 });
    expect(result.commits).toBeGreaterThanOrEqual(4);
    expect(result.changed).toBe(30);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 30, promoters: 30 });
  });

  it('plans again after a conflict, from what is stored then', async () => {
    const store = new MemoryStore();
    await apply(store, [surveyResponse('R1', 1, 9)]);
    const commit = store.commit.bind(store);
    let interfered = false;
    store.commit = async (plan) => {
      if (!interfered) {
        // Another writer lands version 2 between our read and our commit; the store refuses our stale plan.
        interfered = true;
        await apply(store, [surveyResponse('R1', 2, 3)]);
      }
      return commit(plan);
    };
    await applyEvents([surveyResponse('R1', 3, 7)], { store, model: metricModel, ctx, now, sleep: async () => {} });
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, passives: 1 });
  });

  it('gives up after too many conflicts and lets the caller retry the batch', async () => {
    const store = new MemoryStore();
    store.commit = async () => {
      throw new ConflictError('always');
    };
    await expect(
      applyEvents([surveyResponse('R1', 1, 9)], {
        store,
        model: metricModel,
        ctx,
        now,
        maxRetries: 2,
        sleep: async () => {},
      }),
    ).rejects.toThrow(ConflictError);
  });

  it('propagates rollup levels: a flag flipping moves the whole contribution', async () => {
    // A toy model: responses count per customer; a customer with any detractor counts as "at risk".
    const model: MetricModel = {
      contributions: (s) =>
        s.entity === 'survey_response' && !s.deleted
          ? [{ key: `@customer#${s.data.customerId}`, values: { detractors: s.data.score <= 6 ? 1 : 0, responses: 1 } }]
          : [],
      listing: () => undefined,
      rollups: [
        {
          prefix: '@customer#',
          derive: (_k, v) => [{ key: 'risk', values: { atRisk: (v.detractors ?? 0) > 0 ? 1 : 0 } }],
        },
      ],
    };
    const store = new MemoryStore();
    await apply(
      store,
      [
        surveyResponse('R1', 1, 3, undefined, { customerId: 'A' }),
        surveyResponse('R2', 1, 2, undefined, { customerId: 'A' }),
      ],
      model,
    );
    await apply(store, [surveyResponse('R3', 1, 1, undefined, { customerId: 'B' })], model);
    expect(store.aggregates.get('risk')).toEqual({ atRisk: 2 });
    await apply(store, [surveyResponse('R1', 2, 9, undefined, { customerId: 'A' })], model);
    expect(store.aggregates.get('risk')).toEqual({ atRisk: 2 });
    await apply(store, [surveyResponse('R2', 2, 10, undefined, { customerId: 'A' })], model);
    expect(store.aggregates.get('risk')).toEqual({ atRisk: 1 });
    expect(recompute(store.states(), model, ctx).aggregates.get('risk')).toEqual({ atRisk: 1 });
  });
});

describe('timed patches', () => {
  it('keep per field the value with the newest time, whatever the arrival order', () => {
    const a = dealPatch('D1', 1000, { stage: 'proposal', amount: 500 });
    const b = dealPatch('D1', 2000, { stage: 'closedwon', status: 'won' });
    const c = dealPatch('D1', 1500, { amount: 700, stage: 'negotiation' });
    const fold = (order: (typeof a)[]) =>
      order.reduce((s, e) => applyEvent(s, e) ?? s, undefined as ReturnType<typeof applyEvent>);
    const one = fold([a, b, c]);
    const two = fold([c, b, a]);
    expect(one?.data).toMatchObject({ stage: 'closedwon', status: 'won', amount: 700 });
    expect(two?.data).toEqual(one?.data);
    expect(one?.version).toEqual([2000]);
  });

  it('report no change when every field already holds a newer value', () => {
    const state = applyEvent(undefined, dealPatch('D1', 2000, { amount: 900 }));
    expect(applyEvent(state, dealPatch('D1', 1000, { amount: 100 }))).toBeUndefined();
  });
});
