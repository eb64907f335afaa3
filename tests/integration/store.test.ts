import { applyEvents, ConflictError, type MetricContext, metricModel, recompute } from '@flash/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { surveyResponse } from '../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');

describe('DynamoStore on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
  });
  afterAll(async () => {
    await table.drop();
  });
  const apply = (events: Parameters<typeof applyEvents>[0]) =>
    applyEvents(events, { store: table.store, model: metricModel, ctx, now });

  it('stores entity states and aggregates in one transaction, and reads them back', async () => {
    await apply([
      surveyResponse('S1', 1, 9, '2026-09-10T10:00:00Z'),
      surveyResponse('S2', 1, 4, '2026-09-11T10:00:00Z'),
    ]);
    const aggregates = await table.store.getAggregates(['nps|2026-09']);
    expect(aggregates.get('nps|2026-09')).toEqual({
      values: { responses: 2, promoters: 1, detractors: 1 },
      updatedAt: now().toISOString(),
    });
    const stored = await table.store.loadEntities(['survey_response#generic#S1']);
    expect(stored.get('survey_response#generic#S1')).toMatchObject({
      rev: 1,
      value: { version: [1], data: { score: 9 } },
    });
  });

  it('refuses a commit whose revision is stale, and applies nothing of it', async () => {
    await apply([surveyResponse('C1', 1, 9, '2026-08-01T10:00:00Z')]);
    const plan = {
      entities: [
        {
          key: 'survey_response#generic#C1',
          state: surveyResponse('C1', 5, 0) as never,
          listing: undefined,
          expectedRev: 0,
        },
      ],
      journal: { id: 'J-stale', deltas: new Map([['nps|2026-08', { responses: 100 }]]) },
    };
    await expect(table.store.commit(plan)).rejects.toThrow(ConflictError);
    expect(await table.store.loadJournals(['J-stale'])).toEqual([]);
    expect((await table.store.getAggregates(['nps|2026-08'])).get('nps|2026-08')?.values).toEqual({
      responses: 1,
      promoters: 1,
    });
  });

  it('stays exact under concurrent batches that touch the same entities and aggregates', async () => {
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 20 }, (_, i) =>
        surveyResponse(`K${i}`, 1 + ((i + b) % 4), (i * 7 + b) % 11, '2026-07-15T10:00:00Z'),
      ),
    );
    await Promise.all(batches.map((batch) => apply(batch)));
    const states = [];
    for await (const s of table.store.scanEntities()) states.push(s);
    const expected = recompute(states, metricModel, ctx).aggregates.get('nps|2026-07');
    expect(expected?.responses).toBe(20);
    expect((await table.store.getAggregates(['nps|2026-07'])).get('nps|2026-07')?.values).toEqual(expected);
  });

  it('splits a batch larger than a transaction (100 items) into complete commits', async () => {
    const events = Array.from({ length: 250 }, (_, i) => surveyResponse(`B${i}`, 1, i % 11, '2026-06-15T10:00:00Z'));
    const result = await apply(events);
    expect(result.commits).toBe(3);
    expect((await table.store.getAggregates(['nps|2026-06'])).get('nps|2026-06')?.values.responses).toBe(250);
  });

  it('lists the detractors of a month newest first', async () => {
    await apply([
      surveyResponse('D1', 1, 2, '2026-05-02T10:00:00Z', { comment: 'slow' }),
      surveyResponse('D2', 1, 6, '2026-05-20T10:00:00Z'),
      surveyResponse('D3', 1, 8, '2026-05-21T10:00:00Z'),
    ]);
    const listed = await table.store.listEntities('detractors#2026-05', 10);
    expect(listed.map((s) => s.id)).toEqual(['D2', 'D1']);
    // A detractor whose score is raised leaves the list.
    await apply([surveyResponse('D2', 2, 9, '2026-05-20T10:00:00Z')]);
    expect((await table.store.listEntities('detractors#2026-05', 10)).map((s) => s.id)).toEqual(['D1']);
  });

  it('records an alert only once per key and remembers whether it was notified', async () => {
    const alert = { key: 'survey_response#typeform#x', raisedAt: now().toISOString(), score: 3 };
    expect(await table.store.recordAlert(alert)).toEqual({ alert, notified: false });
    const again = { ...alert, raisedAt: '2026-11-24T00:00:00Z' };
    expect(await table.store.recordAlert(again)).toEqual({ alert, notified: false });
    await table.store.markAlertNotified(alert.key);
    expect(await table.store.recordAlert(again)).toEqual({ alert, notified: true });
    expect(await table.store.listAlerts(10)).toEqual([alert]);
  });
});
