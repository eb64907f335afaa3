import {
  ALERT_RAISED,
  applyEvents,
  type CanonicalEvent,
  type CommitPlan,
  DETRACTOR_DETECTED,
  MemoryStore,
  metricModel,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { ctx, isAlertMark, memoryPipeline, recordedScores } from '../../support/alert-pipeline.js';
import { surveyResponse } from '../../support/events.js';
import { CrashError, crashingStore } from '../../support/faults.js';

const R = 'survey_response#generic#R';

/** An aggregator that commits the event's state and dies before announcing anything. */
const commitThenStop = (store: MemoryStore, event: CanonicalEvent) =>
  expect(
    applyEvents([event], {
      store: crashingStore(store, { write: 1, when: 'after' }),
      model: metricModel,
      ctx,
      now: () => new Date(),
    }),
  ).rejects.toThrow(CrashError);

describe('detractor alerts follow the applied state (issue 12, finding 10)', () => {
  it('raises no alert for a detractor state superseded before it applied', async () => {
    const pipeline = memoryPipeline();
    await pipeline.ingest(surveyResponse('R', 2, 9));
    await pipeline.settle();
    // Version 1, scored 3, arrives late: it never applies, so NPS keeps a promoter and nobody is alerted.
    await pipeline.ingest(surveyResponse('R', 1, 3));
    await pipeline.settle();
    expect(pipeline.store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
    expect(recordedScores(pipeline.alerts)).toEqual([]);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toEqual([]);
  });

  it('raises no alert for a detractor version superseded in the same batch', async () => {
    const pipeline = memoryPipeline();
    await pipeline.ingest(surveyResponse('R', 1, 3), surveyResponse('R', 2, 9));
    await pipeline.settle();
    expect(pipeline.store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
    expect(recordedScores(pipeline.alerts)).toEqual([]);
  });

  it('raises one alert when the applied state becomes a detractor', async () => {
    const pipeline = memoryPipeline();
    await pipeline.ingest(surveyResponse('R', 1, 9));
    await pipeline.settle();
    expect(recordedScores(pipeline.alerts)).toEqual([]);
    await pipeline.ingest(surveyResponse('R', 2, 4));
    await pipeline.settle();
    expect(pipeline.store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, detractors: 1 });
    expect(recordedScores(pipeline.alerts)).toEqual([4]);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(1);
  });

  it('raises one alert per response, however often it is redelivered, edited or replayed', async () => {
    const pipeline = memoryPipeline();
    await pipeline.ingest(surveyResponse('R', 1, 3), surveyResponse('R', 1, 3));
    await pipeline.settle();
    await pipeline.ingest(surveyResponse('R', 1, 3));
    await pipeline.settle();
    // Edited: to another detractor score, to a promoter, back to a detractor.
    for (const [version, score] of [
      [2, 2],
      [3, 9],
      [4, 1],
    ] as const) {
      await pipeline.ingest(surveyResponse('R', version, score));
      await pipeline.settle();
    }
    expect(recordedScores(pipeline.alerts)).toEqual([3]);
    expect(pipeline.bus.ofType(ALERT_RAISED)).toHaveLength(1);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(1);
    expect(pipeline.store.entities.get(R)?.value.alert).toEqual({ status: 'announced' });
  });

  it('announces again when the announcement failed, and the retry of its records raises the alert once', async () => {
    const pipeline = memoryPipeline();
    pipeline.bus.failNext.push(ALERT_RAISED);
    await pipeline.ingest(surveyResponse('R', 1, 3), surveyResponse('S', 1, 9));
    // The state is committed with its alert pending; only the detractor's record is handed out again.
    expect(await pipeline.aggregate()).toBe(1);
    expect(pipeline.store.entities.get(R)?.value.alert?.status).toBe('pending');
    await pipeline.settle();
    expect(pipeline.store.aggregates.get('nps|2026-11')).toEqual({ responses: 2, promoters: 1, detractors: 1 });
    expect(recordedScores(pipeline.alerts)).toEqual([3]);
    expect(pipeline.store.entities.get(R)?.value.alert).toEqual({ status: 'announced' });
  });

  it('announces the pending alert of a batch that stopped after its commit when SQS hands it out again', async () => {
    const pipeline = memoryPipeline();
    // The first attempt commits the detractor and dies before announcing it (a crash, a timeout).
    await commitThenStop(pipeline.store, surveyResponse('R', 1, 3));
    expect(recordedScores(pipeline.alerts)).toEqual([]);
    await pipeline.ingest(surveyResponse('R', 1, 3));
    await pipeline.settle();
    expect(recordedScores(pipeline.alerts)).toEqual([3]);
  });

  it('records one alert when the aggregator stops between announcing and marking it', async () => {
    const store = new MemoryStore();
    const commit = store.commit.bind(store);
    let markFailures = 1;
    // The first mark fails as if the process died there.
    store.commit = async (plan: CommitPlan) => {
      if (isAlertMark(plan, store) && markFailures-- > 0) throw new CrashError('stop');
      return commit(plan);
    };
    const pipeline = memoryPipeline({ store });
    await pipeline.ingest(surveyResponse('R', 1, 3));
    await pipeline.settle();
    expect(store.entities.get(R)?.value.alert?.status).toBe('pending');
    await pipeline.ingest(surveyResponse('R', 1, 3)); // the provider redelivers the webhook
    await pipeline.settle();
    expect(pipeline.bus.ofType(ALERT_RAISED)).toHaveLength(2);
    expect(recordedScores(pipeline.alerts)).toEqual([3]);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(1);
    expect(store.entities.get(R)?.value.alert).toEqual({ status: 'announced' });
  });

  it('still alerts on a detractor state that applied, when a newer state superseded it before the announcement', async () => {
    const pipeline = memoryPipeline();
    await commitThenStop(pipeline.store, surveyResponse('R', 1, 3));
    await pipeline.ingest(surveyResponse('R', 2, 9));
    await pipeline.settle();
    // NPS counted R as a detractor for a while; the alert says what was applied then, once.
    expect(pipeline.store.aggregates.get('nps|2026-11')).toEqual({ responses: 1, promoters: 1 });
    expect(recordedScores(pipeline.alerts)).toEqual([3]);
    expect(pipeline.store.entities.get(R)?.value).toMatchObject({
      data: { score: 9 },
      alert: { status: 'announced' },
    });
  });
});
