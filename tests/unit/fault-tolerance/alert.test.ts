import { Logger } from '@aws-lambda-powertools/logger';
import { type BusEntry, type DetractorAlert, makeAlertHandler } from '@flash/app';
import type { AlertRecord } from '@flash/store';
import { describe, expect, it } from 'vitest';
import { surveyResponse } from '../../support/events.js';

/** The alert table in memory, with the same once-only record and notified flag as DynamoStore. */
const memoryAlerts = () => {
  const stored = new Map<string, { alert: AlertRecord; notified: boolean }>();
  return {
    stored,
    async recordAlert(alert: AlertRecord) {
      const existing = stored.get(alert.key);
      if (existing) return { ...existing };
      stored.set(alert.key, { alert, notified: false });
      return { alert, notified: false };
    },
    async markAlertNotified(key: string) {
      const existing = stored.get(key);
      if (existing) existing.notified = true;
    },
  };
};

const setup = (notify: (alert: DetractorAlert) => Promise<void>) => {
  const alerts = memoryAlerts();
  const published: BusEntry[] = [];
  let clock = 0;
  const handler = makeAlertHandler({
    alerts,
    publisher: { publish: async (entries) => void published.push(...entries) },
    logger: new Logger({ serviceName: 'alert-tests', logLevel: 'SILENT' }),
    now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, clock++)),
    notify,
  });
  return { alerts, published, handler };
};

const detractor = { detail: surveyResponse('R1', 1, 2) };

describe('detractor alerts: recorded exactly once, notified at least once', () => {
  it('notifies again on the retry after a failed POST, then never again', async () => {
    const sent: DetractorAlert[] = [];
    let failures = 1;
    const { alerts, handler } = setup(async (alert) => {
      if (failures-- > 0) throw new Error('alert webhook answered 500');
      sent.push(alert);
    });
    await expect(handler(detractor)).rejects.toThrow('500');
    expect(alerts.stored.get('survey_response#generic#R1')?.notified).toBe(false);

    await handler(detractor); // the async invocation's retry
    await handler(detractor); // a redelivered webhook
    expect(sent).toHaveLength(1);
    expect(alerts.stored.size).toBe(1);
    expect(alerts.stored.get('survey_response#generic#R1')?.notified).toBe(true);
  });

  it('sends the alert as first recorded on every retry, not a new one', async () => {
    const sent: DetractorAlert[] = [];
    let calls = 0;
    const { handler, published } = setup(async (alert) => {
      if (calls++ === 0) throw new Error('timeout');
      sent.push(alert);
    });
    await expect(handler(detractor)).rejects.toThrow('timeout');
    await handler(detractor);
    expect(sent[0]?.raisedAt).toBe('2026-11-23T10:00:00.000Z');
    // The bus event may repeat (at least once); consumers tell repeats by the alert key.
    expect(published.map((p) => (p.detail as DetractorAlert).key)).toEqual([
      'survey_response#generic#R1',
      'survey_response#generic#R1',
    ]);
  });
});
