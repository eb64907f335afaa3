import {
  type AggregateStore,
  type AlertLister,
  type AlertStore,
  applyEvent,
  type CommitPlan,
  ConflictError,
  type DocumentReader,
  type DocumentStore,
  type EntityState,
  type EntityStore,
  entityKey,
  type FoldPlan,
  type Journal,
  type Listing,
  MemoryStore,
  memoryAggregateStore,
  memoryAlertStore,
  memoryDocumentStore,
  memoryRebuildStore,
  type RebuildStore,
} from '@flash/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { surveyResponse } from '../support/events.js';

/**
 * One contract, two implementations: every adapter of the store and its in-memory twin behave alike, so a
 * unit test over the twins says what the pipeline does on DynamoDB.
 */
interface Stores {
  entities: EntityStore;
  aggregates: AggregateStore;
  documents: DocumentStore & DocumentReader;
  alerts: AlertStore & AlertLister;
  rebuild: RebuildStore;
  close(): Promise<void>;
}

const memory = {
  name: 'in memory',
  open: async (): Promise<Stores> => {
    const store = new MemoryStore();
    return {
      entities: store,
      aggregates: memoryAggregateStore(store),
      documents: memoryDocumentStore(),
      alerts: memoryAlertStore(),
      rebuild: memoryRebuildStore(store),
      close: async () => {},
    };
  },
};

const dynamo = {
  name: 'on DynamoDB Local',
  open: async (): Promise<Stores> => {
    const { store, drop } = await freshTable();
    return { entities: store, aggregates: store, documents: store, alerts: store, rebuild: store, close: drop };
  },
};

const T1 = '2026-11-23T10:00:00.000Z';
const T2 = '2026-11-23T10:00:05.000Z';

/** A survey response's applied state. */
const state = (id: string, version = 1, score = 9): EntityState => {
  const applied = applyEvent(undefined, surveyResponse(id, version, score));
  if (!applied) throw new Error('a first event always applies');
  return applied;
};

const plan = (parts: Partial<CommitPlan>): CommitPlan => ({ entities: [], journal: undefined, ...parts });
/** A fold's writes; each call is a new fold, numbered after the last. */
let folds = 0;
const foldPlan = (parts: Partial<FoldPlan>): FoldPlan => ({
  seq: ++folds,
  nodes: [],
  aggregates: [],
  at: T1,
  ...parts,
});
const journal = (id: string, deltas: Record<string, Record<string, number>>): Journal => ({
  id,
  deltas: new Map(Object.entries(deltas)),
});
const write = (s: EntityState, expectedRev: number | null, listing?: Listing) => ({
  key: entityKey(s),
  state: s,
  listing,
  expectedRev,
});

describe.each([memory, dynamo])('the store contract, $name', ({ open }) => {
  let stores: Stores;
  beforeEach(async () => {
    stores = await open();
  });
  afterEach(async () => {
    await stores.close();
  });

  /** What is stored under some entity keys: value and revision. */
  const entities = async (...keys: string[]) =>
    new Map([...(await stores.entities.loadEntities(keys))].map(([k, { value, rev }]) => [k, { value, rev }]));
  const aggregate = async (key: string) => (await stores.aggregates.getAggregates([key])).get(key);

  describe('conditional commit', () => {
    it('writes a new entity at revision 1 and bumps the revision on every write', async () => {
      const v1 = state('R1', 1);
      await stores.entities.commit(plan({ entities: [write(v1, null)] }));
      expect(await entities(entityKey(v1))).toEqual(new Map([[entityKey(v1), { value: v1, rev: 1 }]]));
      const v2 = state('R1', 2, 3);
      await stores.entities.commit(plan({ entities: [write(v2, 1)] }));
      expect(await entities(entityKey(v1))).toEqual(new Map([[entityKey(v1), { value: v2, rev: 2 }]]));
    });

    it.each([
      ['an entity written at a stale revision', (s: EntityState) => write(s, 1)],
      ['an entity created (null) that exists', (s: EntityState) => write(s, null)],
      ['an entity expected at a revision that does not exist', () => write(state('R9'), 1)],
    ])('refuses a plan with %s (ConflictError) and writes none of its items', async (_, entity) => {
      const stored = state('R1', 2);
      await stores.entities.commit(plan({ entities: [write(state('R1', 1), null)] }));
      await stores.entities.commit(plan({ entities: [write(stored, 1)], journal: journal('J1', { n: { a: 1 } }) }));

      const fresh = state('R2');
      const failing = plan({
        entities: [write(fresh, null), entity(state('R1', 3, 0))],
        journal: journal('J2', { n: { a: 100 } }),
      });
      await expect(stores.entities.commit(failing)).rejects.toThrow(ConflictError);

      expect(await entities(entityKey(stored), entityKey(fresh), 'survey_response#generic#R9')).toEqual(
        new Map([[entityKey(stored), { value: stored, rev: 2 }]]),
      );
      expect(await stores.entities.listJournals(10)).toEqual([journal('J1', { n: { a: 1 } })]);
    });
  });

  describe('journals and the fold', () => {
    const now = new Date(T1);
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

    it('keeps journals with their deltas, lists them oldest first, and loads those still waiting', async () => {
      const deltas = { '@customer#C1': { won: 1 }, 'nps|2026-11': { responses: 2, promoters: -1 } };
      for (const id of ['2026-11-23T10:00:02Z#b', '2026-11-23T10:00:01Z#a', '2026-11-23T10:00:03Z#c'])
        await stores.entities.commit(plan({ journal: journal(id, deltas) }));
      expect((await stores.entities.listJournals(2)).map((j) => j.id)).toEqual([
        '2026-11-23T10:00:01Z#a',
        '2026-11-23T10:00:02Z#b',
      ]);
      expect(await stores.entities.loadJournals(['2026-11-23T10:00:03Z#c', 'gone'])).toEqual([
        journal('2026-11-23T10:00:03Z#c', deltas),
      ]);
      await expect(stores.entities.commit(plan({ journal: journal('2026-11-23T10:00:01Z#a', {}) }))).rejects.toThrow(
        ConflictError,
      );
    });

    it('gives the lease to one holder until it expires or is let go, and to that holder again', async () => {
      expect(await stores.entities.acquireFold('A', now, 30_000)).toEqual({ unfinished: undefined });
      expect(await stores.entities.acquireFold('B', later(29), 30_000)).toBeUndefined();
      expect(await stores.entities.acquireFold('A', later(29), 30_000)).toEqual({ unfinished: undefined });
      await stores.entities.releaseFold('B');
      expect(await stores.entities.acquireFold('B', later(30), 30_000)).toBeUndefined();
      await stores.entities.releaseFold('A');
      expect(await stores.entities.acquireFold('B', later(30), 30_000)).toEqual({ unfinished: undefined });
      // Expired: another takes it over.
      expect(await stores.entities.acquireFold('C', later(61), 30_000)).toEqual({ unfinished: undefined });
    });

    it('numbers folds, hands an unfinished one to the next holder, and ends it with its journals at once', async () => {
      for (const id of ['J1', 'J2', 'J3'])
        await stores.entities.commit(plan({ journal: journal(id, { n: { a: 1 } }) }));
      await stores.entities.acquireFold('A', now, 30_000);
      expect(await stores.entities.beginFold('A', ['J1', 'J2'], now, 30_000)).toBe(1);
      await expect(stores.entities.beginFold('B', ['J3'], now, 30_000)).rejects.toThrow(ConflictError);
      expect(await stores.entities.acquireFold('B', later(31), 30_000)).toEqual({
        unfinished: { seq: 1, journals: ['J1', 'J2'] },
      });
      await expect(stores.entities.endFold('A', 1, ['J1', 'J2'])).rejects.toThrow(ConflictError);
      await expect(stores.entities.endFold('B', 2, ['J1', 'J2'])).rejects.toThrow(ConflictError);
      expect((await stores.entities.listJournals(10)).map((j) => j.id)).toEqual(['J1', 'J2', 'J3']);
      await stores.entities.endFold('B', 1, ['J1', 'J2']);
      expect((await stores.entities.listJournals(10)).map((j) => j.id)).toEqual(['J3']);
      expect(await stores.entities.acquireFold('B', later(31), 30_000)).toEqual({ unfinished: undefined });
      expect(await stores.entities.beginFold('B', ['J3'], later(31), 30_000)).toBe(2);
    });

    it('writes each item of a fold once: an item already marked with the fold or a later one is skipped', async () => {
      const first = foldPlan({
        nodes: [{ key: '@customer#C1', values: { won: 1 } }],
        aggregates: [{ key: 'nps|2026-11', delta: { responses: 1 } }],
      });
      await stores.entities.applyFold(first);
      await stores.entities.applyFold(first);
      expect(await stores.entities.loadNodes(['@customer#C1', '@customer#C9'])).toEqual(
        new Map([['@customer#C1', { value: { won: 1 }, rev: first.seq }]]),
      );
      const second = foldPlan({
        nodes: [{ key: '@customer#C1', values: { won: 2 } }],
        aggregates: [{ key: 'nps|2026-11', delta: { responses: 1, promoters: 1 } }],
        at: T2,
      });
      await stores.entities.applyFold(second);
      // A stalled folder of the first fold wakes: nothing it writes lands.
      await stores.entities.applyFold({ ...first, nodes: [{ key: '@customer#C1', values: { won: 9 } }] });
      expect(await stores.entities.loadNodes(['@customer#C1'])).toEqual(
        new Map([['@customer#C1', { value: { won: 2 }, rev: second.seq }]]),
      );
      expect(await aggregate('nps|2026-11')).toEqual({ values: { responses: 2, promoters: 1 }, updatedAt: T2 });
    });
  });

  describe('aggregates', () => {
    it('adds increments, leaves out fields back at zero, and records when each last changed', async () => {
      await stores.entities.applyFold(
        foldPlan({ aggregates: [{ key: 'nps#2026-11', delta: { responses: 1, promoters: 1 } }] }),
      );
      await stores.entities.applyFold(
        foldPlan({
          aggregates: [{ key: 'nps#2026-11', delta: { responses: 1, promoters: -1, detractors: 1 } }],
          at: T2,
        }),
      );
      expect(await stores.aggregates.getAggregates(['nps#2026-11', 'nps#1999-01'])).toEqual(
        new Map([['nps#2026-11', { values: { responses: 2, detractors: 1 }, updatedAt: T2 }]]),
      );

      // Back at zero everywhere, it is still there, with nothing to report.
      await stores.entities.applyFold(
        foldPlan({ aggregates: [{ key: 'nps#2026-11', delta: { responses: -2, detractors: -1 } }] }),
      );
      expect(await aggregate('nps#2026-11')).toEqual({ values: {}, updatedAt: T1 });
    });

    it('lists the members of an aggregate partition, and the rollups of a kind', async () => {
      await stores.entities.applyFold(
        foldPlan({
          nodes: [
            { key: '@customer#C1', values: { won: 1 } },
            { key: '@customer#C2', values: { open: 2 } },
            { key: '@project#P1', values: { cost: 3 } },
          ],
          aggregates: [
            { key: 'bycust#2026-11|C1', delta: { billed: 10 } },
            { key: 'bycust#2026-11|C2', delta: { billed: 20 } },
            { key: 'bycust#2026-12|C1', delta: { billed: 30 } },
            { key: 'segments#2026-11|segment=Gold', delta: { responses: 1 } },
          ],
        }),
      );
      expect(await stores.aggregates.listAggregatePartition('bycust#2026-11')).toEqual(
        new Map([
          ['C1', { values: { billed: 10 }, updatedAt: T1 }],
          ['C2', { values: { billed: 20 }, updatedAt: T1 }],
        ]),
      );
      expect(await stores.aggregates.listAggregatePartition('bycust#2027-01')).toEqual(new Map());
      expect(await stores.aggregates.listRollups('@customer#')).toEqual(
        new Map([
          ['C1', { won: 1 }],
          ['C2', { open: 2 }],
        ]),
      );
    });
  });

  describe('lists', () => {
    const list = 'detractors#2026-05';
    const listed = (id: string, day: string): [EntityState, Listing] => [
      state(id, 1, 2),
      { list, sort: `2026-05-${day}T10:00:00Z#${id}` },
    ];
    const d1 = listed('D1', '02');
    const d2 = listed('D2', '11');
    const d3 = listed('D3', '20');
    const ids = (states: EntityState[]) => states.map((s) => s.id);

    beforeEach(async () => {
      const other = state('X1', 1, 2);
      await stores.entities.commit(
        plan({
          entities: [
            ...[d3, d1, d2].map(([s, listing]) => write(s, null, listing)),
            write(other, null, { list: 'detractors#2026-06', sort: '2026-06-01T00:00:00Z#X1' }),
            write(state('U1'), null),
          ],
        }),
      );
    });

    it('lists newest first by sort key, or oldest first, at most `limit`', async () => {
      expect(ids(await stores.aggregates.listEntities(list, 10))).toEqual(['D3', 'D2', 'D1']);
      expect(ids(await stores.aggregates.listEntities(list, 10, { oldestFirst: true }))).toEqual(['D1', 'D2', 'D3']);
      expect(ids(await stores.aggregates.listEntities(list, 2))).toEqual(['D3', 'D2']);
      expect(await stores.aggregates.listEntities('detractors#2026-07', 10)).toEqual([]);
      expect(await stores.aggregates.listEntities(list, 1)).toEqual([d3[0]]);
    });

    it('bounds the sort key with from and to, both inclusive', async () => {
      const [from, to] = [d1[1].sort, d2[1].sort];
      expect(ids(await stores.aggregates.listEntities(list, 10, { from, to }))).toEqual(['D2', 'D1']);
      expect(ids(await stores.aggregates.listEntities(list, 10, { from: to }))).toEqual(['D3', 'D2']);
      expect(ids(await stores.aggregates.listEntities(list, 10, { to: from, oldestFirst: true }))).toEqual(['D1']);
      expect(ids(await stores.aggregates.listEntities(list, 10, { to: '2026-05-20' }))).toEqual(['D2', 'D1']);
    });

    it('moves an entity whose listing changes, and drops one that has none any more', async () => {
      const [s1] = d1;
      const [s2] = d2;
      await stores.entities.commit(
        plan({ entities: [write(s1, 1, { list, sort: '2026-05-31T00:00:00Z#D1' }), write(s2, 1, undefined)] }),
      );
      expect(ids(await stores.aggregates.listEntities(list, 10))).toEqual(['D1', 'D3']);
    });
  });

  describe('documents', () => {
    it('keeps documents by kind and id; a put replaces; unknown ids are absent', async () => {
      await stores.documents.putDocument('profile', 'sales', { kpis: [{ template: 'hitRate', target: 40 }] });
      await stores.documents.putDocument('profile', 'support', { kpis: [] });
      await stores.documents.putDocument('user', 'sales', { profileId: 'sales' });
      await stores.documents.putDocument('profile', 'support', { kpis: [{ template: 'nps', target: 50 }] });

      expect(await stores.documents.getDocuments('profile', ['support', 'nobody'])).toEqual(
        new Map([['support', { kpis: [{ template: 'nps', target: 50 }] }]]),
      );
      expect(await stores.documents.listDocuments('profile')).toEqual(
        new Map<string, unknown>([
          ['sales', { kpis: [{ template: 'hitRate', target: 40 }] }],
          ['support', { kpis: [{ template: 'nps', target: 50 }] }],
        ]),
      );
      expect(await stores.documents.listDocuments('user')).toEqual(new Map([['sales', { profileId: 'sales' }]]));
      expect(await stores.documents.listDocuments('team')).toEqual(new Map());
    });

    it('deletes a document of one kind only; deleting one that is not there is no error', async () => {
      await stores.documents.putDocument('profile', 'sales', { kpis: [] });
      await stores.documents.putDocument('user', 'sales', { profileId: 'sales' });
      await stores.documents.deleteDocument('profile', 'sales');
      await stores.documents.deleteDocument('profile', 'nobody');
      expect(await stores.documents.getDocuments('profile', ['sales'])).toEqual(new Map());
      expect(await stores.documents.listDocuments('user')).toEqual(new Map([['sales', { profileId: 'sales' }]]));
    });
  });

  describe('alerts', () => {
    const alert = { key: 'survey_response#typeform#R1', raisedAt: T1, score: 3 };

    it('records an alert once per key, whoever raises it again, and remembers its marks', async () => {
      expect(await stores.alerts.recordAlert(alert)).toEqual({ alert, notified: false });
      expect(await stores.alerts.recordAlert({ ...alert, raisedAt: T2, score: 1 })).toEqual({ alert, notified: false });
      await stores.alerts.markAlertNotified(alert.key);
      expect(await stores.alerts.recordAlert({ ...alert, raisedAt: T2 })).toEqual({ alert, notified: true });
      expect(await stores.alerts.getAlert(alert.key)).toEqual({ alert, notified: true, slackDeliveredAt: undefined });
      await stores.alerts.markSlackDelivered(alert.key, T2);
      expect(await stores.alerts.getAlert(alert.key)).toEqual({ alert, notified: true, slackDeliveredAt: T2 });
      expect(await stores.alerts.getAlert('survey_response#typeform#R2')).toBeUndefined();
    });

    it('refuses to mark an alert that was never recorded (ConflictError)', async () => {
      await expect(stores.alerts.markAlertNotified('survey_response#typeform#R2')).rejects.toThrow(ConflictError);
      await expect(stores.alerts.markSlackDelivered('survey_response#typeform#R2', T2)).rejects.toThrow(ConflictError);
      expect(await stores.alerts.getAlert('survey_response#typeform#R2')).toBeUndefined();
    });

    it('lists alerts newest first, at most `limit`', async () => {
      const later = { key: 'survey_response#typeform#R2', raisedAt: T2, score: 0 };
      const earlier = { key: 'survey_response#typeform#R0', raisedAt: '2026-11-22T00:00:00.000Z', score: 6 };
      for (const a of [alert, later, earlier]) await stores.alerts.recordAlert(a);
      expect(await stores.alerts.listAlerts(10)).toEqual([later, alert, earlier]);
      expect(await stores.alerts.listAlerts(1)).toEqual([later]);
    });
  });

  describe('rebuild', () => {
    beforeEach(async () => {
      await stores.entities.commit(plan({ entities: [write(state('R1'), null), write(state('R2', 1, 0), null)] }));
      await stores.entities.applyFold(
        foldPlan({
          nodes: [{ key: '@customer#C1', values: { won: 1 } }],
          aggregates: [{ key: 'nps#2026-11', delta: { responses: 2, promoters: 1, detractors: 1 } }],
        }),
      );
    });

    it('scans every entity state, rollup node and aggregate', async () => {
      const scanned: EntityState[] = [];
      for await (const s of stores.rebuild.scanEntities()) scanned.push(s);
      expect(scanned.map((s) => s.id).sort()).toEqual(['R1', 'R2']);
      expect(await stores.rebuild.scanDerived()).toEqual({
        nodes: new Map([['@customer#C1', { won: 1 }]]),
        aggregates: new Map([
          ['nps#2026-11', { values: { responses: 2, promoters: 1, detractors: 1 }, updatedAt: T1 }],
        ]),
      });
    });

    it('overwrites a rollup node, which keeps the mark of the fold that last wrote it', async () => {
      const mark = (await stores.entities.loadNodes(['@customer#C1'])).get('@customer#C1')?.rev;
      expect(mark).toBeGreaterThan(0);
      await stores.rebuild.replaceNode('@customer#C1', { won: 2 });
      expect(await stores.entities.loadNodes(['@customer#C1'])).toEqual(
        new Map([['@customer#C1', { value: { won: 2 }, rev: mark }]]),
      );
    });

    it('overwrites an aggregate: the given fields, zero for the previous ones not given, the rest untouched', async () => {
      await stores.rebuild.replaceAggregate('nps#2026-11', { responses: 5 }, { detractors: 1 }, T2);
      expect(await aggregate('nps#2026-11')).toEqual({ values: { responses: 5, promoters: 1 }, updatedAt: T2 });
      await stores.rebuild.replaceAggregate('margin#2026', { revenue: 7 }, {}, T2);
      expect(await aggregate('margin#2026')).toEqual({ values: { revenue: 7 }, updatedAt: T2 });
    });
  });
});
