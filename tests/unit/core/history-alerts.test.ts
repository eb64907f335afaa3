import { applyEvents, HISTORY_ALERT_WINDOW_MS, MemoryStore, metricModel } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { surveyResponse } from '../../support/events.js';

/** Detractor alerts for history (docs/metrics.md): old history is quiet, recent history and live webhooks alert. */
const NOW = new Date('2026-11-30T12:00:00Z');
const ctx = { timeZone: 'UTC', baseCurrency: 'EUR' };
const DAY = 86_400_000;

const apply = async (store: MemoryStore, ...events: Parameters<typeof applyEvents>[0]) =>
  (await applyEvents(events, { store, model: metricModel, ctx, now: () => NOW })).alerts.map((a) => a.response.id);

const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();
const history = <T extends object>(event: T) => ({ ...event, history: true as const });

describe('detractor alerts from history', () => {
  it('raises none for a backfilled detractor older than the window, one for a recent one', async () => {
    const store = new MemoryStore();
    const old = history(surveyResponse('old', 1, 3, at(HISTORY_ALERT_WINDOW_MS + DAY)));
    const recent = history(surveyResponse('recent', 1, 3, at(DAY)));
    expect(await apply(store, old, recent)).toEqual(['recent']);
  });

  it('still alerts for an old response a live webhook brings (contract section 5)', async () => {
    expect(await apply(new MemoryStore(), surveyResponse('live', 1, 2, at(400 * DAY)))).toEqual(['live']);
  });

  it('leaves a quiet response unmarked, so a later live change into a detractor alerts', async () => {
    const store = new MemoryStore();
    expect(await apply(store, history(surveyResponse('R', 1, 4, at(300 * DAY))))).toEqual([]);
    expect(await apply(store, surveyResponse('R', 2, 1, at(300 * DAY)))).toEqual(['R']);
  });
});
