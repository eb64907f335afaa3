import { parseCanonicalEvent } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { itemSize, readUnits, writeCost } from '../../../bench/capacity.js';
import { costPerMillionEvents } from '../../../bench/cost.js';
import { generateWorkload } from '../../../bench/workload.js';

/** An item of exactly `bytes` bytes: `pk` (2 + 4) plus `data` (4 + the rest). */
const itemOf = (bytes: number) => ({ pk: 'E#x1', data: 'x'.repeat(bytes - 10) });

describe('bench workload', () => {
  const workload = generateWorkload({ events: 5_000, seed: 42 });

  it('is the same for the same seed and differs for another', () => {
    expect(generateWorkload({ events: 5_000, seed: 42 }).events).toEqual(workload.events);
    expect(generateWorkload({ events: 5_000, seed: 43 }).events).not.toEqual(workload.events);
  });

  it('delivers exactly the events asked for, a tenth of them duplicates and a tenth late', () => {
    expect(workload.events).toHaveLength(5_000);
    expect(workload.duplicates).toBe(500);
    expect(workload.late).toBe(500);
    const distinct = new Set(workload.events.map((e) => JSON.stringify(e)));
    expect(distinct.size).toBe(4_500);
  });

  it('mixes every entity kind, all valid canonical events', () => {
    for (const count of Object.values(workload.byEntity)) expect(count).toBeGreaterThan(0);
    for (const event of workload.events) expect(() => parseCanonicalEvent(event)).not.toThrow();
  });

  it('voids invoices, credits them, and moves deals from open to won and lost', () => {
    const snapshots = workload.events.flatMap((e) => (e.mode === 'snapshot' ? [e] : []));
    const statuses = (entity: string) =>
      new Set(snapshots.filter((e) => e.entity === entity).map((e) => (e.data as { status: string }).status));
    expect(statuses('invoice')).toEqual(new Set(['draft', 'issued', 'void']));
    expect(statuses('deal')).toEqual(new Set(['open', 'won', 'lost']));
    expect(workload.events.some((e) => e.mode === 'patch' && (e.changes as { status?: string }).status === 'won')).toBe(
      true,
    );
  });
});

describe('bench write-unit accounting', () => {
  it('sizes items by attribute names and values', () => {
    expect(itemSize({ pk: 'abc' })).toBe(5);
    expect(itemSize({ n: 12345 })).toBe(1 + 4);
    expect(itemSize({ m: { a: true } })).toBe(1 + 3 + (1 + 1 + 1));
    expect(itemSize(itemOf(1536))).toBe(1536);
  });

  it('counts a Put of a 1.5 KB item as 2 units', () => {
    expect(writeCost('PutItem', { TableName: 't', Item: itemOf(1536) })).toEqual({ units: 2, items: 1 });
  });

  it('counts a transaction of two small items as 4 units', () => {
    const input = { TransactItems: [{ Put: { TableName: 't', Item: itemOf(100) } }, { Put: { Item: itemOf(200) } }] };
    expect(writeCost('TransactWriteItems', input)).toEqual({ units: 4, items: 2 });
  });

  it('sizes an update from its key and the attributes it writes', () => {
    const update = {
      Key: { pk: 'A#billing#2026-11', sk: '#' },
      UpdateExpression: 'SET #at = :at ADD #f0 :f0',
      ExpressionAttributeNames: { '#at': 'changedAt', '#f0': 'v:amount:EUR' },
      ExpressionAttributeValues: { ':at': '2026-11-23T10:00:00.000Z', ':f0': 'x'.repeat(1000) },
    };
    expect(writeCost('TransactWriteItems', { TransactItems: [{ Update: update }] })).toEqual({
      units: 4,
      items: 1,
    });
  });

  it('adds an index write, outside the transaction, for an item carrying the index key', () => {
    const input = { TransactItems: [{ Put: { Item: { ...itemOf(100), gsi1pk: 'detractors#2026-11' } } }] };
    expect(writeCost('TransactWriteItems', input, 'gsi1pk')).toEqual({ units: 3, items: 1 });
  });

  it('counts reads per 4 KB item, a missing key as one unit, half when eventually consistent', () => {
    const input = { RequestItems: { t: { Keys: [{ pk: 'a' }, { pk: 'b' }, { pk: 'c' }], ConsistentRead: true } } };
    const output = { Responses: { t: [itemOf(5000), itemOf(100)] } };
    expect(readUnits('BatchGetItem', input, output)).toBe(2 + 1 + 1);
    const eventual = { RequestItems: { t: { Keys: [{ pk: 'a' }] } } };
    expect(readUnits('BatchGetItem', eventual, { Responses: { t: [itemOf(100)] } })).toBe(0.5);
  });
});

describe('bench cost model', () => {
  // One event per delivery, a 1 KB event, 1 s of a 1 GB ingest and 1 s of a 512 MB aggregate per event.
  const counts = {
    eventsPerDelivery: 1,
    ingestMs: 1000,
    ingestMemoryMb: 1024,
    eventBytes: 1000,
    archiveMonths: 0,
    batchSize: 1,
    aggregateMsPerEvent: 1000,
    aggregateMemoryMb: 512,
    writeUnitsPerEvent: 2,
    readUnitsPerEvent: 4,
  };

  it('prices each line of the path per million events from the published unit prices', () => {
    expect(costPerMillionEvents(counts).lines).toEqual({
      'API Gateway (webhooks)': 1, // $1.00 per million requests
      'Lambda ingest': 13.533, // $0.20 per million requests + 1 GB-s at $0.0000133334
      EventBridge: 1, // $1.00 per million events
      'EventBridge archive': 0.093, // 1,000 bytes at $0.10 per GB
      SQS: 1.2, // send, receive and delete: 3 requests at $0.40 per million
      'Lambda aggregate': 6.867, // $0.20 per million requests + 0.5 GB-s
      'DynamoDB writes': 1.25, // 2 units at $0.625 per million
      'DynamoDB reads': 0.5, // 4 units at $0.125 per million
    });
    expect(costPerMillionEvents(counts).total).toBe(25.443);
  });

  it('shares receives, deletes and invocations among the records of a batch, and stores the archive by the month', () => {
    const batched = costPerMillionEvents({ ...counts, batchSize: 100, archiveMonths: 12 }).lines;
    expect(batched.SQS).toBe(0.48); // 1 send + 0.1 receive + 0.1 delete per event
    expect(batched['Lambda aggregate']).toBe(6.669); // 0.01 invocations per event
    expect(batched['EventBridge archive']).toBe(0.35); // + 12 months at $0.023 per GB-month
  });
});
