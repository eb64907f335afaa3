import { eventBridgePublisher, type PutEventsAnswer, type PutEventsEntry, rebuildAggregates } from '@flash/app';
import type { AwsJsonClient } from '@flash/aws';
import { ALERT_RAISED, DETRACTOR_DETECTED, metricModel } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { alertPipeline, ctx } from '../support/alert-pipeline.js';
import { mixedBatch } from '../support/batches.js';
import { type Table, tablesPerTest } from '../support/dynamo.js';
import { surveyResponse } from '../support/events.js';
import { applyBatch, CrashError, crashingStore, sampledCrashPoints, writesOf } from '../support/faults.js';

/** The alerts stored in the table: response id → score, and where each one's delivery stands. */
const storedAlerts = async (table: Table, ids: readonly string[]) => {
  const out = new Map<string, { score: unknown; notified: boolean; slack: string | undefined }>();
  for (const id of ids) {
    const stored = await table.store.getAlert(`survey_response#generic#${id}`);
    if (stored) out.set(id, { score: stored.alert.score, notified: stored.notified, slack: stored.slackDeliveredAt });
  }
  return out;
};

const RESPONSES = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5'];

/** EventBridge answering each PutEvents with `answer` of its entries. */
const fakePutEvents =
  (answer: (entries: PutEventsEntry[]) => Promise<PutEventsAnswer>): AwsJsonClient =>
  async <Output>(action: string, input: object) => {
    expect(action).toBe('PutEvents');
    return (await answer((input as { Entries: PutEventsEntry[] }).Entries)) as Output;
  };

describe('detractor alerts on DynamoDB Local', () => {
  const table = tablesPerTest();

  it('raise one alert per applied detractor after a stop at any commit of a batch', async () => {
    // mixedBatch: R0 scored 0 then 9 (superseded in the batch), R1..R5 scored 2, 4, 6, 8, 10.
    const expected = new Map([
      ['R1', 2],
      ['R2', 4],
      ['R3', 6],
    ]);
    const reference = await table();
    const log = await writesOf(reference.store, (store) => applyBatch(mixedBatch(), store, ctx));
    expect(log.filter((w) => w === 'commit').length).toBeGreaterThan(2);
    for (const write of sampledCrashPoints(log)) {
      // Stopping before write k leaves what stopping after write k-1 leaves.
      for (const when of write === 1 ? (['before', 'after'] as const) : (['after'] as const)) {
        const t = await table();
        await expect(applyBatch(mixedBatch(), crashingStore(t.store, { write, when }), ctx)).rejects.toThrow(
          CrashError,
        );
        const pipeline = alertPipeline({ store: t.store, alerts: t.store });
        await pipeline.ingest(...mixedBatch());
        await pipeline.settle();
        const alerts = await storedAlerts(t, RESPONSES);
        expect(new Map([...alerts].map(([id, a]) => [id, a.score])), `${when} write ${write}`).toEqual(expected);
        expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(expected.size);
      }
    }
  }, 120_000);

  it('raise no alert again on rebuild or on a replay of what was applied', async () => {
    const t = await table();
    const pipeline = alertPipeline({ store: t.store, alerts: t.store });
    await pipeline.ingest(...mixedBatch());
    await pipeline.settle();
    const announced = pipeline.bus.ofType(ALERT_RAISED).length;
    expect(announced).toBe(3);
    // Rebuilding the aggregates touches no entity state and announces nothing; a replay of the batch (an
    // archive replay, a redrive) finds every alert announced.
    const rebuilt = await rebuildAggregates({
      store: t.store,
      model: metricModel,
      ctx,
      now: () => new Date(),
      mode: 'rebuild',
    });
    expect(rebuilt.entities).toBeGreaterThan(0);
    await pipeline.ingest(...mixedBatch());
    await pipeline.settle();
    expect(pipeline.bus.ofType(ALERT_RAISED)).toHaveLength(announced);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(3);
    expect((await storedAlerts(t, RESPONSES)).size).toBe(3);
  });

  it('with PutEvents refusing the announcement and Slack down, records, publishes and posts each alert once', async () => {
    const t = await table();
    const puts: PutEventsEntry[][] = [];
    let refusals = 4; // every attempt of the first announcement: the publisher gives up, the records are retried
    const slackStatuses = [500, 502];
    const posts: string[] = [];
    const pipeline = alertPipeline({
      store: t.store,
      alerts: t.store,
      slackWebhookUrl: async () => 'https://hooks.example/T1',
      fetch: (async (_url: string, init: RequestInit) => {
        posts.push(String(init.body));
        return new Response(null, { status: slackStatuses.shift() ?? 200 });
      }) as typeof fetch,
      publisherOf: (bus) => {
        const eventBridge = fakePutEvents(async (Entries) => {
          puts.push(Entries);
          if (Entries.some((e) => e.DetailType === ALERT_RAISED) && refusals-- > 0)
            return { FailedEntryCount: Entries.length, Entries: Entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
          await bus.publish(
            Entries.map((e) => ({ source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) })),
          );
          return { FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `e${puts.length}-${i}` })) };
        });
        return eventBridgePublisher('flash-figures', eventBridge, { attempts: 4, baseDelayMs: 1 });
      },
    });
    await pipeline.ingest(surveyResponse('R1', 1, 2), surveyResponse('R2', 1, 10));
    expect(await pipeline.aggregate()).toBe(1); // the detractor's record is handed out again
    await pipeline.settle(4);
    expect(await storedAlerts(t, ['R1', 'R2'])).toEqual(
      new Map([['R1', { score: 2, notified: true, slack: '2026-11-23T10:00:00.000Z' }]]),
    );
    const published = puts.flat().filter((e) => e.DetailType === DETRACTOR_DETECTED);
    expect(published).toHaveLength(1);
    expect(posts).toHaveLength(3);
    expect(pipeline.failures.map((f) => f.rule)).toEqual(['slackAlert', 'slackAlert']);
    const npsOf = await t.store.getAggregates(['nps|2026-11']);
    expect(npsOf.get('nps|2026-11')?.values).toEqual({ responses: 2, promoters: 1, detractors: 1 });
  });
});
