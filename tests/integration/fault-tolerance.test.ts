import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler, rebuildAggregates } from '@flash/app';
import { AwsError, type DynamoDb } from '@flash/aws';
import { type CanonicalEvent, entityKey, keys, type MetricContext, metricModel } from '@flash/core';
import { DynamoQueueStorage, LocalQueue } from '@flash/local';
import { dynamoStore } from '@flash/store';
import { describe, expect, it } from 'vitest';
import { mixedBatch } from '../support/batches.js';
import { cancelledTransaction, dynamoError, type Table, tablesPerTest, withFaults } from '../support/dynamo.js';
import { invoice, surveyResponse } from '../support/events.js';
import { applyBatch, CrashError, crashingStore, sampledCrashPoints, writesOf } from '../support/faults.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');
const silent = () => new Logger({ serviceName: 'fault-tests', logLevel: 'SILENT' });

const verify = (table: Table) =>
  rebuildAggregates({ store: table.store, model: metricModel, ctx, now, mode: 'verify' });

/** Aggregates and rollups as stored, for comparing two tables. */
const figures = async (table: Table) => {
  const { nodes, aggregates } = await table.store.scanDerived();
  return { nodes, aggregates: new Map([...aggregates].map(([k, v]) => [k, v.values])) };
};

describe('aggregator under DynamoDB faults', () => {
  const table = tablesPerTest();

  it('retries throttling and cancelled transactions until the batch lands, with exact figures', async () => {
    const reference = await table();
    await applyBatch(mixedBatch(), reference.store, ctx);

    const faulty = await table();
    const transactFaults: Record<number, () => Error> = {
      1: () => cancelledTransaction('None', 'ThrottlingError'),
      2: () => cancelledTransaction('TransactionConflict', 'None'),
      3: () => dynamoError('ProvisionedThroughputExceededException', 'slow down'),
      5: () => dynamoError('TransactionInProgressException', 'in progress'),
      6: () => dynamoError('RequestLimitExceeded', 'account limit'),
      7: () => cancelledTransaction('ConditionalCheckFailed'),
    };
    const injected = withFaults(faulty.client, (action, _, nth) => {
      if (action === 'TransactWriteItems') return transactFaults[nth]?.();
      if (action === 'BatchGetItem' && nth === 2) return dynamoError('ThrottlingException', 'Rate exceeded');
      return undefined;
    });
    await applyBatch(mixedBatch(), dynamoStore(injected.db, faulty.tableName), ctx);
    expect(injected.calls.get('TransactWriteItems')).toBeGreaterThan(Object.keys(transactFaults).length);
    expect((await verify(faulty)).drift).toEqual([]);
    expect(await figures(faulty)).toEqual(await figures(reference));
  });

  it('keeps figures exact with concurrent aggregators writing the same rollups (real conflicts)', async () => {
    const reference = await table();
    const batch = mixedBatch();
    await applyBatch(batch, reference.store, ctx);
    const shared = await table();
    // Four aggregators, each with a quarter of the batch, all touching customer C1's rollup.
    await Promise.all(
      [0, 1, 2, 3].map((k) =>
        applyBatch(
          batch.filter((_, i) => i % 4 === k),
          shared.store,
          ctx,
        ),
      ),
    );
    expect((await verify(shared)).drift).toEqual([]);
    expect(await figures(shared)).toEqual(await figures(reference));
  });

  it('leaves every figure exact when the batch is retried after stopping at any commit or step of the fold', async () => {
    const reference = await table();
    const log = await writesOf(reference.store, (store) => applyBatch(mixedBatch(), store, ctx));
    expect(log.filter((w) => w === 'commit').length).toBeGreaterThan(2);
    for (const write of sampledCrashPoints(log)) {
      for (const when of ['before', 'after'] as const) {
        const t = await table();
        await expect(
          applyBatch(mixedBatch(), crashingStore(t.store, { write, when }), ctx, 12, { folder: 'stopped' }),
        ).rejects.toThrow(CrashError);
        // Another process gets the batch once the stopped one's fold lease has expired.
        await applyBatch(mixedBatch(), t.store, ctx, 12, { folder: 'next', now: new Date('2026-11-23T10:01:00Z') });
        expect(await t.store.listJournals(1), `${when} write ${write} (${log[write - 1]})`).toEqual([]);
        expect((await verify(t)).drift).toEqual([]);
        expect(await figures(t)).toEqual(await figures(reference));
      }
    }
  });

  it('treats a commit whose answer was lost like a conflict: the retry finds it applied', async () => {
    const t = await table();
    let lost = false;
    // The commit reaches DynamoDB and is applied; its answer never comes back (after the client's retries).
    const losing: DynamoDb = async (action, input) => {
      const answer = await t.client(action, input);
      if (action === 'TransactWriteItems' && !lost) {
        lost = true;
        throw new AwsError('NetworkingError', 'socket hang up', { retryable: true });
      }
      return answer;
    };
    // The engine does not retry an unknown outcome; the handler has SQS hand the batch out again.
    await expect(applyBatch([surveyResponse('R1', 1, 3)], dynamoStore(losing, t.tableName), ctx)).rejects.toThrow(
      'socket hang up',
    );
    const again = await applyBatch([surveyResponse('R1', 1, 3)], t.store, ctx);
    expect(again).toMatchObject({ changed: 0, unchanged: 1 });
    expect((await t.store.getAggregates(['nps|2026-11'])).get('nps|2026-11')?.values).toEqual({
      responses: 1,
      detractors: 1,
    });
  });

  it('dead-letters a poison event with its reason, applies the rest of its batch, and redrives it once fixed', async () => {
    const t = await table();
    const poison = invoice('I-POISON', 1, { status: 'issued', total: 999_00 });
    let broken = true;
    // DynamoDB refuses any transaction that writes the poison entity (as it does an item over 400 KB).
    const injected = withFaults(t.client, (action, input) =>
      broken && action === 'TransactWriteItems' && JSON.stringify(input).includes(entityKey(poison))
        ? dynamoError('ValidationException', 'Item size has exceeded the maximum allowed size')
        : undefined,
    );
    const storage = new DynamoQueueStorage(t.client, 'aggregate', t.tableName);
    const queue = new LocalQueue('aggregate', { batchSize: 10, storage, visibilityTimeoutMs: 50 });
    const store = dynamoStore(injected.db, t.tableName);
    const handler = makeAggregateHandler({ store, ctx, now, logger: silent(), deadLetters: queue });
    try {
      await queue.start(handler);
      const good: CanonicalEvent[] = Array.from({ length: 7 }, (_, i) => surveyResponse(`R${i}`, 1, 9));
      const events = [...good.slice(0, 3), poison, ...good.slice(3)];
      await queue.send(events.map((detail) => JSON.stringify({ detail })));
      await queue.idle();

      expect(queue.deadLetters).toHaveLength(1);
      const [letter] = queue.deadLetters;
      expect(letter?.reason).toMatch(/StoreRejectedError: commit refused: Item size has exceeded/);
      expect(letter?.message.receiveCount).toBe(1);
      expect(JSON.parse(letter?.message.body ?? '{}').detail.id).toBe('I-POISON');
      // The dead letter is stored with its reason, for a restart or the redrive command.
      expect((await storage.load()).deadLetters.map((d) => d.reason)).toEqual([letter?.reason]);
      const billing = keys.billing('2026-11');
      const after = await t.store.getAggregates(['nps|2026-11', billing]);
      expect(after.get('nps|2026-11')?.values).toEqual({ responses: 7, promoters: 7 });
      expect(after.get(billing)).toBeUndefined();

      broken = false;
      expect(await queue.redrive()).toBe(1);
      await queue.idle();
      expect(queue.deadLetters).toEqual([]);
      expect(await storage.load()).toEqual({ messages: [], deadLetters: [] });
      const fixed = await t.store.getAggregates([billing]);
      expect(fixed.get(billing)?.values).toEqual({ 'amount:EUR': 999_00, 'invoices:EUR': 1 });
      expect((await verify(t)).drift).toEqual([]);
    } finally {
      await queue.stop();
    }
  });
});
