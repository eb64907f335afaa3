import { makeAnswerCache, makeQueryHandler, withReadCache } from '@flash/app';
import {
  type AggregateView,
  applyEvents,
  MemoryStore,
  memoryAggregateStore,
  memoryAlertStore,
  memoryDocumentStore,
  memorySnapshotStore,
  metricModel,
  type QueryStore,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ctx, silent } from '../../support/alert-pipeline.js';
import { surveyResponse } from '../../support/events.js';
import { apiEvent } from '../../support/gateway.js';

const TTL = 250;

/** Aggregates `a` and `b` in memory, changed at will; every read is counted and answers fresh objects. */
const changingStore = () => {
  const values = new Map<string, number>([
    ['a', 1],
    ['b', 1],
  ]);
  let reads = 0;
  const store = {
    getAggregates: async (keys: readonly string[]) => {
      reads++;
      return new Map(
        keys.flatMap((k): [string, AggregateView][] => {
          const n = values.get(k);
          return n === undefined ? [] : [[k, { values: { n }, updatedAt: `v${n}` }]];
        }),
      );
    },
    listAlerts: async () => [],
  } as unknown as QueryStore;
  return { store, values, reads: () => reads };
};

/** An answer built from `a` and `b` as the cache's store reads them; builds are counted. */
const answering = (cache: ReturnType<typeof makeAnswerCache>) => {
  let builds = 0;
  const ask = () =>
    cache.answer('/figures', { clockForDateAndAsOf: true, now: () => new Date() }, async ({ store }) => {
      builds++;
      const read = await store.getAggregates(['a', 'b']);
      const body = JSON.stringify([...read].map(([k, v]) => [k, v.values.n]));
      return { etag: `"${body}"`, contentType: 'application/json', body };
    });
  return { ask, builds: () => builds };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('answer cache', () => {
  it('serves a repeated answer without building it again while its aggregates are unchanged', async () => {
    const { store, reads } = changingStore();
    let t = 0;
    const { ask, builds } = answering(
      makeAnswerCache(
        withReadCache(store, TTL, () => t),
        { reuse: true },
      ),
    );
    for (let i = 0; i < 100; i++) {
      expect((await ask()).body).toBe('[["a",1],["b",1]]');
      t += 50; // 5 s in all: the read cache reads again every 250 ms and finds the same aggregates
      await settle();
    }
    expect(builds()).toBe(1);
    expect(reads()).toBeGreaterThanOrEqual(19);
  });

  it('builds concurrent requests once', async () => {
    const { store } = changingStore();
    const { ask, builds } = answering(
      makeAnswerCache(
        withReadCache(store, TTL, () => 0),
        { reuse: true },
      ),
    );
    const answers = await Promise.all(Array.from({ length: 50 }, ask));
    expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
    expect(builds()).toBe(1);
  });

  it('builds again as soon as the read cache serves a changed aggregate, not before', async () => {
    const { store, values } = changingStore();
    let t = 0;
    const { ask, builds } = answering(
      makeAnswerCache(
        withReadCache(store, TTL, () => t),
        { reuse: true },
      ),
    );
    const first = await ask();
    values.set('b', 2);
    t += TTL - 1; // within the read cache's window: the answer read at 0 is still the one served
    expect(await ask()).toBe(first);
    t += 1; // the read cache refreshes in the background and serves the old read meanwhile
    expect(await ask()).toBe(first);
    await settle();
    expect((await ask()).body).toBe('[["a",1],["b",2]]');
    expect(builds()).toBe(2);
  });

  it('never answers older than the read cache window, whatever the order of changes and polls', async () => {
    type Step = { advance: number } | { change: 'a' | 'b'; to: number } | { poll: true };
    const step = fc.oneof(
      fc.record({ advance: fc.integer({ min: 0, max: 6 * TTL }) }),
      fc.record({ change: fc.constantFrom<'a' | 'b'>('a', 'b'), to: fc.integer({ min: 0, max: 3 }) }),
      fc.constant({ poll: true as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps: Step[]) => {
        const { store, values } = changingStore();
        let t = 0;
        const { ask } = answering(
          makeAnswerCache(
            withReadCache(store, TTL, () => t),
            { reuse: true },
          ),
        );
        const snapshot = () => JSON.stringify([...values].map(([k, n]) => [k, n]));
        // Each state the aggregates were in, from when.
        const history = [{ from: 0, body: snapshot() }];
        for (const s of steps) {
          if ('advance' in s) t += s.advance;
          else if ('change' in s) {
            values.set(s.change, s.to);
            history.push({ from: t, body: snapshot() });
          } else {
            const answer = await ask();
            // A poller gets 304 exactly when its ETag is this answer's, so the answer must show a state the
            // aggregates were in at some moment of the read cache's window (the last 4 TTLs).
            const heldSince = (i: number) => (history[i + 1]?.from ?? Number.POSITIVE_INFINITY) > t - 4 * TTL;
            expect(history.filter((_, i) => heldSince(i)).map((h) => h.body)).toContain(answer.body);
            expect(answer.etag).toBe(`"${answer.body}"`);
          }
          await settle();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('builds every time an answer that reads beyond the shared aggregate reads', async () => {
    const { store } = changingStore();
    const cache = makeAnswerCache(
      withReadCache(store, TTL, () => 0),
      { reuse: true },
    );
    let builds = 0;
    const ask = () =>
      cache.answer('/alerts', { clockForDateAndAsOf: true, now: () => new Date() }, async (recording) => {
        builds++;
        await recording.store.listAlerts(10);
        return { etag: '"x"', contentType: 'application/json', body: '[]' };
      });
    await ask();
    await ask();
    expect(builds).toBe(2);
  });

  it('builds every time an answer that reads the clock for more than asOf', async () => {
    const { store } = changingStore();
    const cache = makeAnswerCache(
      withReadCache(store, TTL, () => 0),
      { reuse: true },
    );
    let builds = 0;
    for (const clockForDateAndAsOf of [false, false, true, true])
      await cache.answer('/today', { clockForDateAndAsOf, now: () => new Date() }, async (recording) => {
        builds++;
        return { etag: '"x"', contentType: 'text/plain', body: recording.now().toISOString().slice(0, 10) };
      });
    expect(builds).toBe(3);
  });
});

describe('pollers with an ETag, through the query handler', () => {
  const readCacheMs = 20;
  const metricsEvent = (ifNoneMatch?: string) =>
    apiEvent({
      path: '/v1/metrics',
      query: { period: '2026-11' },
      headers: ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {},
    });

  it('get 304s while the figures stand and fresh figures once they change, past the read cache window', async () => {
    const entities = new MemoryStore();
    const store: QueryStore = {
      ...memoryAggregateStore(entities),
      ...memoryDocumentStore(),
      ...memoryAlertStore(),
      ...memorySnapshotStore(),
      loadNodes: (keys) => entities.loadNodes(keys),
    };
    const apply = (events: Parameters<typeof applyEvents>[0]) =>
      applyEvents(events, { store: entities, model: metricModel, ctx, now: () => new Date() });
    const query = makeQueryHandler({ store, ctx, now: () => new Date(), logger: silent(), readCacheMs });
    const nps = (body: string | undefined) => (JSON.parse(body ?? '{}') as { nps: unknown }).nps;

    await apply([surveyResponse('R1', 1, 9)]);
    const first = await query(metricsEvent());
    expect(first.statusCode).toBe(200);
    expect(nps(first.body)).toMatchObject({ promoters: 1, detractors: 0, responses: 1, score: 100 });
    const etag = first.headers?.etag as string;

    for (let i = 0; i < 20; i++) expect((await query(metricsEvent(etag))).statusCode).toBe(304);

    // A detractor arrives: NPS = (1 promoter - 1 detractor) / 2 responses = 0.
    await apply([surveyResponse('R2', 1, 3)]);
    await new Promise((resolve) => setTimeout(resolve, 4 * readCacheMs + 10));
    // Past the read cache's window (4 of its TTLs), the very first request reads afresh.
    const changed = await query(metricsEvent(etag));
    expect(changed.statusCode).toBe(200);
    expect(changed.headers?.etag).not.toBe(etag);
    expect(nps(changed.body)).toMatchObject({ promoters: 1, detractors: 1, responses: 2, score: 0 });
    expect((await query(metricsEvent(changed.headers?.etag as string))).statusCode).toBe(304);
  });
});
