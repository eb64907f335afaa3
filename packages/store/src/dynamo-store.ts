import type { DynamoDb } from '@flash/aws';
import type {
  AggregateStore,
  AlertLister,
  AlertStore,
  DocumentReader,
  DocumentStore,
  EntityStore,
  RebuildStore,
  SnapshotStore,
} from '@flash/core';
import { dynamoAggregateStore } from './aggregate-store.js';
import { dynamoAlertStore } from './alert-store.js';
import { dynamoDocumentStore } from './document-store.js';
import { dynamoEntityStore } from './entity-store.js';
import { dynamoRebuildStore } from './rebuild-store.js';
import { dynamoSnapshotStore } from './snapshot-store.js';
import { Table } from './table.js';

/** Every port the table serves. */
export type DynamoStore = EntityStore &
  AggregateStore &
  DocumentStore &
  DocumentReader &
  AlertStore &
  AlertLister &
  RebuildStore &
  SnapshotStore;

/**
 * Every adapter over one table, as one object: what a function or the local stack hands each handler (each
 * takes the ports it needs). A caller that needs a single port can wire its adapter over `new Table(…)`.
 */
export const dynamoStore = (db: DynamoDb, tableName: string): DynamoStore => {
  const table = new Table(db, tableName);
  return {
    ...dynamoEntityStore(table),
    ...dynamoAggregateStore(table),
    ...dynamoDocumentStore(table),
    ...dynamoAlertStore(table),
    ...dynamoRebuildStore(table),
    ...dynamoSnapshotStore(table),
  };
};
