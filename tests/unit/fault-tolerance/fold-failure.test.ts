import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler } from '@flash/app';
import { MemoryStore, RejectedError } from '@flash/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invoice, surveyResponse } from '../../support/events.js';

const ctx = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };

describe('a failing fold is not about the batch being applied', () => {
  it('retries, never dead-letters, sound records whose states committed when a fold of other journals is refused', async () => {
    const store = new MemoryStore();
    // An earlier batch left an invoice's journal waiting (its fold is refused for good, e.g. an item too large).
    const applyFold = store.applyFold.bind(store);
    store.applyFold = async (plan) => {
      if (plan.aggregates.some((a) => a.key.startsWith('billing')))
        throw new RejectedError('applyFold: item too large');
      return applyFold(plan);
    };
    const parked: { record: SQSRecord; reason: string }[] = [];
    const handler = makeAggregateHandler({
      store,
      ctx,
      now: () => new Date('2026-11-23T10:00:00Z'),
      logger: new Logger({ serviceName: 'review', logLevel: 'SILENT' }),
      deadLetters: { deadLetter: async (record, reason) => void parked.push({ record, reason }) },
    });
    const asBatch = (events: unknown[], from: number): SQSEvent => ({
      Records: events.map(
        (e, i) => ({ messageId: `m${from + i}`, body: JSON.stringify({ detail: e }), attributes: {} }) as SQSRecord,
      ),
    });
    await handler(asBatch([invoice('I1', 1, { status: 'issued', total: 100_00 })], 0));
    parked.length = 0;

    // Now a batch of sound survey responses: nothing is wrong with any of them.
    const responses = Array.from({ length: 8 }, (_, i) => surveyResponse(`R${i}`, 1, 9));
    const answer = await handler(asBatch(responses, 1));
    expect(parked.map((p) => p.reason)).toEqual([]);
    // Their states are committed with their journals; the batch is redelivered to fold them.
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(responses.map((_, i) => `m${i + 1}`));
    expect(store.journals.size).toBe(2);
    // Once the cause is gone, the redelivery folds everything and counts every response once.
    store.applyFold = applyFold;
    expect((await handler(asBatch(responses, 1))).batchItemFailures).toEqual([]);
    expect(store.journals.size).toBe(0);
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 8, promoters: 8 });
  });
});
