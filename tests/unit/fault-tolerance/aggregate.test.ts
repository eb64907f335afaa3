import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler } from '@flash/app';
import {
  type CanonicalEvent,
  type CommitPlan,
  entityKey,
  InvalidValueError,
  MemoryStore,
  ThrottledError,
} from '@flash/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { surveyResponse } from '../../support/events.js';

const ctx = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const record = (messageId: string, body: string) => ({ messageId, body, attributes: {} }) as SQSRecord;
const batch = (events: (CanonicalEvent | string)[]): SQSEvent => ({
  Records: events.map((e, i) => record(`m${i}`, typeof e === 'string' ? e : JSON.stringify({ detail: e }))),
});

/** A store that refuses, for good or for now, every commit writing one of `keys`. */
const refusing = (keys: string[], error: () => Error) => {
  const store = new MemoryStore();
  const commit = store.commit.bind(store);
  store.commit = async (plan: CommitPlan) => {
    if (plan.entities.some((e) => keys.includes(e.key))) throw error();
    return commit(plan);
  };
  return store;
};

const handlerWith = (store: MemoryStore, sink?: { record: SQSRecord; reason: string }[]) =>
  makeAggregateHandler({
    store,
    ctx,
    now: () => new Date('2026-11-23T10:00:00Z'),
    logger: new Logger({ serviceName: 'aggregate-tests', logLevel: 'SILENT' }),
    deadLetters: sink && { deadLetter: async (r, reason) => void sink.push({ record: r, reason }) },
  });

describe('aggregate handler: one poison event does not block its batch', () => {
  const events = Array.from({ length: 9 }, (_, i) => surveyResponse(`R${i}`, 1, 9));
  const poison = [events[2], events[7]] as CanonicalEvent[];

  it('isolates the poison events by halving the batch, applies the rest, and dead-letters them with the reason', async () => {
    const store = refusing(poison.map(entityKey), () => new InvalidValueError('amount 1e400 is not a finite number'));
    const parked: { record: SQSRecord; reason: string }[] = [];
    const response = await handlerWith(store, parked)(batch(events));
    expect(response.batchItemFailures).toEqual([]);
    expect(parked.map((p) => p.record.messageId)).toEqual(['m2', 'm7']);
    expect(parked[0]?.reason).toBe('InvalidValueError: amount 1e400 is not a finite number');
    expect(store.aggregates.get('nps|2026-11')).toEqual({ responses: 7, promoters: 7 });
  });

  it('dead-letters a record that is not a canonical event without trying to apply it', async () => {
    const parked: { record: SQSRecord; reason: string }[] = [];
    const store = new MemoryStore();
    const response = await handlerWith(
      store,
      parked,
    )(batch([events[0] as CanonicalEvent, '{"detail":{"entity":"x"}}']));
    expect(response.batchItemFailures).toEqual([]);
    expect(parked.map((p) => p.record.messageId)).toEqual(['m1']);
    expect(parked[0]?.reason).toMatch(/^not a canonical event: ZodError: \[ \{/);
  });

  it('reports poison records as failures when there is no dead-letter sink, so the redrive policy moves them', async () => {
    const store = refusing(poison.map(entityKey), () => new InvalidValueError('bad'));
    const response = await handlerWith(store)(batch(events));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm7' }]);
  });

  it('retries, not dead-letters, records that failed for a transient reason', async () => {
    const store = refusing([entityKey(events[0] as CanonicalEvent)], () => new ThrottledError('slow down'));
    const parked: { record: SQSRecord; reason: string }[] = [];
    const response = await handlerWith(store, parked)(batch(events));
    expect(parked).toEqual([]);
    expect(response.batchItemFailures).toHaveLength(events.length);
  });
});
