import { Logger } from '@aws-lambda-powertools/logger';
import { type DetractorAlert, makeAlertHandler, SLACK_WEBHOOK_PLACEHOLDER } from '@flash/app';
import { AGGREGATE_SOURCE, ALERT_RAISED, type BusEntry, DETRACTOR_DETECTED } from '@flash/core';
import { describe, expect, it, vi } from 'vitest';
import { memoryAlerts, memoryPipeline } from '../../support/alert-pipeline.js';
import { surveyResponse } from '../../support/events.js';

const SLACK = 'https://hooks.example/T1';
const KEY = 'survey_response#generic#R1';

/** A Slack-compatible webhook that answers `statuses` in turn (then 200), and what was posted to it. */
const slackAnswering = (...statuses: number[]) => {
  const posts: { url: string; text: string }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    posts.push({ url, text: (JSON.parse(String(init.body)) as { text: string }).text });
    return new Response(null, { status: statuses.shift() ?? 200 });
  }) as typeof globalThis.fetch;
  return { posts, fetch };
};

describe('detractor alerts: published once, posted to Slack on its own retry path', () => {
  it('with Slack down, publishes Detractor Detected once and retries only the POST until it goes through', async () => {
    const slack = slackAnswering(500, 503);
    const pipeline = memoryPipeline({ slackWebhookUrl: async () => SLACK, fetch: slack.fetch });
    await pipeline.ingest(surveyResponse('R1', 1, 2));
    await pipeline.settle(3);

    // One publication: one e-mail through the alerts topic, whatever Slack did.
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(1);
    // Two failed POSTs, each retried on the Slack step alone, then one that went through.
    expect(slack.posts).toHaveLength(3);
    expect(pipeline.failures.map((f) => [f.rule, (f.error as Error).message])).toEqual([
      ['slackAlert', 'alert webhook answered 500'],
      ['slackAlert', 'alert webhook answered 503'],
    ]);
    expect(pipeline.alerts.stored.get(KEY)).toMatchObject({
      notified: true,
      slackDeliveredAt: '2026-11-23T10:00:00.000Z',
    });

    // A redelivered webhook and a redelivered Detractor Detected change nothing.
    await pipeline.ingest(surveyResponse('R1', 1, 2));
    await pipeline.bus.publish([
      { source: 'flash-figures.alerts', detailType: DETRACTOR_DETECTED, detail: { key: KEY } },
    ]);
    await pipeline.settle(2);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(2); // the one the test sent
    expect(slack.posts).toHaveLength(3);
    expect(pipeline.alerts.stored.size).toBe(1);
  });

  it.each([
    ['the placeholder the deploy creates', SLACK_WEBHOOK_PLACEHOLDER],
    ['an empty URL', ''],
    ['a blank URL', '  '],
    ['no URL', undefined],
  ])('takes %s as "Slack not configured": nothing posted, nothing retried', async (_, url) => {
    const slack = slackAnswering(404);
    const pipeline = memoryPipeline({ slackWebhookUrl: async () => url, fetch: slack.fetch });
    await pipeline.ingest(surveyResponse('R1', 1, 2), surveyResponse('R2', 1, 0));
    await pipeline.settle(2);
    expect(slack.posts).toEqual([]);
    expect(pipeline.failures).toEqual([]);
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(2);
    expect(pipeline.alerts.stored.get(KEY)?.slackDeliveredAt).toBeUndefined();
  });

  it('says once in the log that Slack is not configured, not once per alert', async () => {
    const logger = new Logger({ serviceName: 'alert-tests', logLevel: 'SILENT' });
    const info = vi.spyOn(logger, 'info');
    const alerts = memoryAlerts();
    const handler = makeAlertHandler({
      alerts,
      publisher: { publish: async () => {} },
      logger,
      now: () => new Date(),
      slackWebhookUrl: async () => SLACK_WEBHOOK_PLACEHOLDER,
    });
    for (const key of ['a', 'b', 'c']) await handler({ 'detail-type': DETRACTOR_DETECTED, detail: { key } });
    expect(info.mock.calls.filter(([message]) => String(message).includes('not configured'))).toHaveLength(1);
  });

  it('publishes again after a stop between publishing and marking, and Slack still gets the alert once', async () => {
    const slack = slackAnswering();
    const pipeline = memoryPipeline({ slackWebhookUrl: async () => SLACK, fetch: slack.fetch });
    const mark = pipeline.alerts.markAlertNotified.bind(pipeline.alerts);
    let stops = 1;
    pipeline.alerts.markAlertNotified = async (key) => {
      if (stops-- > 0) throw new Error('Task timed out');
      return mark(key);
    };
    await pipeline.ingest(surveyResponse('R1', 1, 2));
    await pipeline.settle(2);
    // At least once on the bus (here twice), exactly once recorded and posted.
    expect(pipeline.bus.ofType(DETRACTOR_DETECTED)).toHaveLength(2);
    expect(pipeline.alerts.stored.size).toBe(1);
    expect(slack.posts).toHaveLength(1);
  });

  it('publishes the alert as first recorded on every retry, not a new one', async () => {
    const alerts = memoryAlerts();
    const published: BusEntry[] = [];
    let clock = 0;
    let failures = 1;
    const handler = makeAlertHandler({
      alerts,
      publisher: {
        publish: async (entries) => {
          if (failures-- > 0) throw new Error('bus unavailable');
          published.push(...entries);
        },
      },
      logger: new Logger({ serviceName: 'alert-tests', logLevel: 'SILENT' }),
      now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, clock++)),
    });
    const raised = { 'detail-type': ALERT_RAISED, source: AGGREGATE_SOURCE, detail: surveyResponse('R1', 1, 2) };
    await expect(handler(raised)).rejects.toThrow('bus unavailable');
    await handler(raised);
    expect(published.map((p) => (p.detail as DetractorAlert).raisedAt)).toEqual(['2026-11-23T10:00:00.000Z']);
  });
});
