import { RejectedError, ThrottledError } from '@flash/core';
import {
  type DynamoStore,
  dynamoStore,
  itemKeys,
  MalformedItemError,
  StoreRejectedError,
  StoreUnavailableError,
} from '@flash/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoError, freshTable } from '../support/dynamo.js';

/** One call of every method of the store, by its name. */
const calls: Record<keyof DynamoStore, (store: DynamoStore) => Promise<unknown>> = {
  loadEntities: (s) => s.loadEntities(['survey_response#generic#R1']),
  loadNodes: (s) => s.loadNodes(['@customer#C1']),
  commit: (s) => s.commit({ entities: [], journal: { id: 'J1', deltas: new Map([['nps#2026-11', { n: 1 }]]) } }),
  acquireFold: (s) => s.acquireFold('A', new Date(), 30_000),
  listJournals: (s) => s.listJournals(10),
  loadJournals: (s) => s.loadJournals(['J1']),
  beginFold: (s) => s.beginFold('A', ['J1'], new Date(), 30_000),
  applyFold: (s) => s.applyFold({ seq: 1, nodes: [], aggregates: [{ key: 'nps#2026-11', delta: { n: 1 } }], at: '' }),
  endFold: (s) => s.endFold('A', 1, ['J1']),
  releaseFold: (s) => s.releaseFold('A'),
  getAggregates: (s) => s.getAggregates(['nps#2026-11']),
  listAggregatePartition: (s) => s.listAggregatePartition('bycust#2026-11'),
  listAggregateRange: (s) => s.listAggregateRange('nps', '2026-01', '2026-11'),
  listRollups: (s) => s.listRollups('@customer#'),
  listEntities: (s) => s.listEntities('detractors#2026-11', 10),
  putDocument: (s) => s.putDocument('profile', 'sales', {}),
  deleteDocument: (s) => s.deleteDocument('profile', 'sales'),
  getDocuments: (s) => s.getDocuments('profile', ['sales']),
  listDocuments: (s) => s.listDocuments('profile'),
  recordAlert: (s) => s.recordAlert({ key: 'k', raisedAt: '2026-11-23T10:00:00Z' }),
  markAlertNotified: (s) => s.markAlertNotified('k'),
  getAlert: (s) => s.getAlert('k'),
  markSlackDelivered: (s) => s.markSlackDelivered('k', '2026-11-23T10:00:00Z'),
  listAlerts: (s) => s.listAlerts(10),
  scanEntities: (s) => s.scanEntities()[Symbol.asyncIterator]().next(),
  scanDerived: (s) => s.scanDerived(),
  replaceNode: (s) => s.replaceNode('@customer#C1', { won: 1 }),
  replaceAggregate: (s) => s.replaceAggregate('nps#2026-11', { n: 1 }, {}, '2026-11-23T10:00:00Z'),
  putSnapshot: (s) => s.putSnapshot('2026-11-23', { active: 1 }, '2026-11-23T10:00:00Z'),
  getSnapshots: (s) => s.getSnapshots(['2026-11-23']),
};

describe('DynamoDB adapters: what DynamoDB answers reaches callers as the core errors', () => {
  let failure: Error | undefined;
  /** DynamoDB answering every request with `failure`. */
  const store = dynamoStore(() => Promise.reject(failure), 't');

  it('has a call below for every method of the store', () => {
    expect(Object.keys(store).sort()).toEqual(Object.keys(calls).sort());
  });

  it.each([
    ['InternalServerError', StoreUnavailableError],
    ['ThrottlingException', ThrottledError],
    ['ValidationException', StoreRejectedError],
  ])('answers %s with %s from every method, naming the method', async (name, expected) => {
    for (const [method, call] of Object.entries(calls)) {
      const error = dynamoError(name, `${name} from DynamoDB`, {}, name === 'InternalServerError' ? 500 : 400);
      failure = error;
      const thrown = await call(store).catch((e: unknown) => e);
      expect(thrown, method).toBeInstanceOf(expected);
      expect((thrown as Error).cause, method).toBe(error);
      expect((thrown as Error).message, method).toMatch(new RegExp(`^${method}\\b`));
    }
  });
});

describe('DynamoDB adapters: items that are not what an adapter wrote', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const put = (item: Record<string, unknown>) => table.client('PutItem', { TableName: table.tableName, Item: item });
  beforeAll(async () => {
    table = await freshTable();
    await put({ ...itemKeys.entity('survey_response#generic#R1'), state: 'not a state', rev: 1 });
    await put({ ...itemKeys.entity('survey_response#generic#R2'), state: { entity: 'survey_response' }, rev: 1 });
    await put({ ...itemKeys.node('@customer#C1'), vals: { won: 'one' }, rev: 1 });
    await put({ ...itemKeys.node('@customer#C2'), vals: { won: 1 }, fold: 'seven' });
    await put({ ...itemKeys.journal('J1'), d: 'not gzipped deltas' });
    await put({ ...itemKeys.aggregate('nps#2026-11'), 'v:responses': '3' });
    await put({ ...itemKeys.alert('k'), alert: { key: 'k' }, notified: false });
  });
  afterAll(async () => {
    await table.drop();
  });

  it.each([
    [
      'an entity state that is not an object',
      (s: DynamoStore) => s.loadEntities(['survey_response#generic#R1']),
      /E#survey_response#generic#R1 .*state is not an entity state/,
    ],
    [
      'an entity state without its fields',
      (s: DynamoStore) => s.loadEntities(['survey_response#generic#R2']),
      /state is not an entity state/,
    ],
    [
      'a rollup value that is not a number',
      (s: DynamoStore) => s.loadNodes(['@customer#C1']),
      /N#@customer# \/ C1: vals is not a map of numbers/,
    ],
    [
      'a rollup whose fold mark is not a number',
      (s: DynamoStore) => s.loadNodes(['@customer#C2']),
      /N#@customer# \/ C2: fold is not a number/,
    ],
    ['a journal whose deltas are not binary', (s: DynamoStore) => s.listJournals(10), /J# \/ J1: d is not binary/],
    [
      'an aggregate field that is not a number',
      (s: DynamoStore) => s.getAggregates(['nps#2026-11']),
      /v:responses is not a number/,
    ],
    ['an alert without raisedAt', (s: DynamoStore) => s.getAlert('k'), /alert is not an alert/],
  ])('refuses %s (MalformedItemError, never retried), naming the item', async (_, read, message) => {
    const thrown = await read(table.store).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(MalformedItemError);
    expect(thrown).toBeInstanceOf(RejectedError);
    expect((thrown as Error).message).toMatch(message);
  });
});
