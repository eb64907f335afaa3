import {
  applyEvent,
  applyEvents,
  type CanonicalEvent,
  type EntityState,
  MAX_JOURNAL_KEYS,
  MemoryStore,
  type MetricContext,
  medianOfCounts,
  memoryAggregateStore,
  metricModel,
  partitions,
  recompute,
  STAGE_HISTORY_LIMIT,
  stageFigures,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deal, dealPatch } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'UTC', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

const fold = (events: readonly CanonicalEvent[]): EntityState | undefined =>
  events.reduce<EntityState | undefined>((state, e) => applyEvent(state, e) ?? state, undefined);

/** A generic deal version seen at `hours` after T0 in `stage`. */
const seen = (id: string, version: number, hours: number, stage: string, status: 'open' | 'won' | 'lost' = 'open') =>
  deal(id, version, { stage, status }, { occurredAt: new Date(T0 + hours * HOUR).toISOString() });

const applyAll = async (events: readonly CanonicalEvent[], batch = 3) => {
  const store = new MemoryStore();
  for (let i = 0; i < events.length; i += batch)
    await applyEvents(events.slice(i, i + batch), { store, model: metricModel, ctx, now });
  return store;
};

const figuresOf = async (store: MemoryStore) => {
  const read = memoryAggregateStore(store);
  return stageFigures(
    await read.listAggregatePartition(partitions.stageTimes),
    await read.listAggregatePartition(partitions.stageHours),
  );
};

describe('stage history', () => {
  it('takes HubSpot dealstage changes in any order, duplicated, and dates each stay by the changes', () => {
    const changes = [
      dealPatch('H1', T0, { stage: 'appointmentscheduled', status: 'open' }),
      dealPatch('H1', T0 + 30 * HOUR, { stage: 'qualifiedtobuy', status: 'open' }),
      dealPatch('H1', T0 + 80 * HOUR, { stage: 'closedwon', status: 'won' }),
      dealPatch('H1', T0 + 10 * HOUR, { amountDecimal: '100', currency: 'EUR' }),
    ];
    const inOrder = fold(changes);
    for (const order of [
      [2, 0, 3, 1],
      [1, 2, 0, 3],
      [3, 3, 2, 1, 0, 2],
    ]) {
      expect(fold(order.map((i) => changes[i] as CanonicalEvent))).toEqual(inOrder);
    }
    expect(inOrder?.stages?.map((o) => [o.stage, o.at - T0, o.open])).toEqual([
      ['appointmentscheduled', 0, true],
      ['qualifiedtobuy', 30 * HOUR, true],
      ['closedwon', 80 * HOUR, false],
    ]);
  });

  it('keeps a late, older snapshot in the history though it changes no field', () => {
    const late = seen('G1', 1, 0, 'lead');
    const newer = seen('G1', 2, 5, 'proposal');
    const state = fold([newer, late]);
    expect(state?.version).toEqual([2]);
    expect(state?.entity === 'deal' && state.data.stage).toBe('proposal');
    expect(state?.stages?.map((o) => o.stage)).toEqual(['lead', 'proposal']);
    // The same late snapshot again changes nothing.
    expect(applyEvent(state, late)).toBeUndefined();
  });

  it('dates a version sent twice by its earlier receipt, whichever arrives first', () => {
    const first = seen('G1', 1, 0, 'lead');
    const again = seen('G1', 1, 7, 'lead');
    const next = seen('G1', 2, 9, 'proposal');
    expect(fold([again, next, first])).toEqual(fold([first, again, next]));
    expect(fold([again, next, first])?.stages?.map((o) => o.at - T0)).toEqual([0, 9 * HOUR]);
  });

  it('dates a generic stage by its stageChangedAt when the source sends one, whenever it is received', () => {
    const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
    // An import received in one go a month later: the stays are still those the ERP recorded.
    const late = (version: number, stage: string, hours: number) =>
      deal('G2', version, { stage, stageChangedAt: at(hours) }, { occurredAt: '2026-12-01T00:00:00Z' });
    const state = fold([late(2, 'proposal', 30), late(1, 'lead', 6), late(2, 'proposal', 30)]);
    expect(state?.stages?.map((o) => [o.stage, (o.at - T0) / HOUR])).toEqual([
      ['lead', 6],
      ['proposal', 30],
    ]);
  });

  it(`keeps the newest ${STAGE_HISTORY_LIMIT} observations, whatever order they arrive in`, () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          Array.from({ length: STAGE_HISTORY_LIMIT + 20 }, (_, v) => seen('G1', v + 1, v, `s${v % 3}`)),
          { minLength: STAGE_HISTORY_LIMIT + 20 },
        ),
        (events) => {
          const stages = fold(events)?.stages ?? [];
          expect(stages).toHaveLength(STAGE_HISTORY_LIMIT);
          expect(stages.map((o) => o.k[0])).toEqual(Array.from({ length: STAGE_HISTORY_LIMIT }, (_, i) => i + 21));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('a full stage history in one commit', () => {
  it('commits the worst deal, every observation a new stage and every stay a different length, as its state and one journal', async () => {
    const store = new MemoryStore();
    const commit = store.commit.bind(store);
    const sizes: { entities: number; journalKeys: number }[] = [];
    store.commit = async (plan) => {
      sizes.push({ entities: plan.entities.length, journalKeys: plan.journal?.deltas.size ?? 0 });
      return commit(plan);
    };
    // Stage k entered after 25·k(k+1)/2 hours: stay k lasts 25(k + 1) hours, each its own hour and day item;
    // the deal then closes won, and is deleted.
    const enteredAt = (k: number) => (25 * k * (k + 1)) / 2;
    const versions = Array.from({ length: STAGE_HISTORY_LIMIT }, (_, k) =>
      deal(
        'W',
        k + 1,
        { stage: `stage-${k}`, customerId: 'C1', ownerId: 'U1', expectedCloseDate: '2026-12-01' },
        {
          occurredAt: new Date(T0 + enteredAt(k) * HOUR).toISOString(),
        },
      ),
    );
    const last = STAGE_HISTORY_LIMIT;
    const won = deal(
      'W',
      last + 1,
      { stage: `stage-${last - 1}`, status: 'won', closedAt: '2026-12-01' },
      {
        occurredAt: new Date(T0 + enteredAt(last) * HOUR).toISOString(),
      },
    );
    const gone = deal('W', last + 2, { stage: `stage-${last - 1}`, status: 'won' }, { deleted: true });
    for (const events of [versions, [won], [gone]]) await applyEvents(events, { store, model: metricModel, ctx, now });
    expect(sizes.map((s) => s.entities)).toEqual([1, 1, 1]);
    // The deletion takes back every stay and stage it ever counted: the most keys, far below a journal's bound.
    expect(Math.max(...sizes.map((s) => s.journalKeys))).toBeGreaterThan(60);
    expect(Math.max(...sizes.map((s) => s.journalKeys))).toBeLessThan(MAX_JOURNAL_KEYS / 10);
    // Deleting it took every figure back to nothing.
    expect([...store.aggregates.values()].every((values) => Object.keys(values).length === 0)).toBe(true);
  });
});

describe('time in stage', () => {
  it('gives the mean and the exact median of the stays, the stage lost deals were lost at, and the reached stages', async () => {
    const events = [
      // D1: lead 2 h, proposal 10 h, then won in proposal (a snapshot source closes in the stage).
      seen('D1', 1, 0, 'lead'),
      seen('D1', 2, 2, 'proposal'),
      seen('D1', 3, 12, 'proposal', 'won'),
      // D2: lead 4 h, proposal 3 h, lost in proposal.
      seen('D2', 1, 0, 'lead'),
      seen('D2', 2, 4, 'proposal'),
      seen('D2', 3, 7, 'proposal', 'lost'),
      // D3: lead 9 h and still in proposal (open: its proposal stay has not ended).
      seen('D3', 1, 0, 'lead'),
      seen('D3', 2, 9, 'proposal'),
      // H1 (HubSpot): lead 1 h, lost when moved to closedlost.
      dealPatch('H1', T0, { stage: 'lead', status: 'open' }),
      dealPatch('H1', T0 + HOUR, { stage: 'closedlost', status: 'lost' }),
    ];
    const forwards = await applyAll(events);
    const backwards = await applyAll([...events].reverse(), 2);
    expect(backwards.aggregates).toEqual(forwards.aggregates);
    expect(recompute(forwards.states(), metricModel, ctx).aggregates).toEqual(forwards.aggregates);

    const { stages, lostWithoutStage } = await figuresOf(forwards);
    expect(lostWithoutStage).toBe(0);
    // HubSpot's lead is not the generic source's lead: each source's stage has its own row.
    // generic lead: stays 2, 4 and 9 hours, mean 5 h = 0.2 days, median 4 h = 0.2 days; reached by D1 (won)
    // and D2 (lost): 1 / 2. Proposal: 10 and 3 hours, mean and median 6.5 h = 0.3 days; D2 lost there.
    // hubspot lead: 1 hour (0.0 days), H1 lost there, reached by H1 only: 0 / 1.
    expect(stages).toEqual([
      {
        source: 'generic',
        stage: 'lead',
        stays: 3,
        meanDays: 0.2,
        medianDays: 0.2,
        lost: 0,
        closedReached: 2,
        wonReached: 1,
        learntProbability: 0.5,
      },
      {
        source: 'generic',
        stage: 'proposal',
        stays: 2,
        meanDays: 0.3,
        medianDays: 0.3,
        lost: 1,
        closedReached: 2,
        wonReached: 1,
        learntProbability: 0.5,
      },
      {
        source: 'hubspot',
        stage: 'lead',
        stays: 1,
        meanDays: 0,
        medianDays: 0,
        lost: 1,
        closedReached: 1,
        wonReached: 0,
        learntProbability: 0,
      },
    ]);
  });

  it('takes the median exactly from counts per value', () => {
    expect(medianOfCounts(new Map())).toBeNull();
    expect(medianOfCounts(new Map([[5, 1]]))).toBe(5);
    expect(
      medianOfCounts(
        new Map([
          [1, 2],
          [10, 1],
          [3, 1],
        ]),
      ),
    ).toBe(2);
    expect(
      medianOfCounts(
        new Map([
          [48, 3],
          [2, 1],
        ]),
      ),
    ).toBe(48);
  });
});
