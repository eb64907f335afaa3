import { AwsError, type DynamoDb } from '@flash/aws';

/**
 * Single-table design (docs/architecture.md). One definition, used by the local stack, the tests and the
 * CDK stack, so the key names cannot drift apart.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  listIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** What the partition key of each kind of item starts with. */
export const keyPrefixes = {
  entity: 'E#',
  node: 'N#',
  aggregate: 'A#',
  alert: 'ALERT#',
  document: 'DOC#',
  snapshot: 'SNAP#',
  journal: 'J#',
  fold: 'FOLD#',
} as const;

/**
 * An aggregate key `partition|member` (e.g. `bycust#2026-11|C1`) is stored as one item of a partition, so a
 * Query reads all members at once; a key without `|` is a single item.
 */
const aggregateItemKey = (key: string) => {
  const bar = key.indexOf('|');
  return bar < 0
    ? { pk: `${keyPrefixes.aggregate}${key}`, sk: '#' }
    : { pk: `${keyPrefixes.aggregate}${key.slice(0, bar)}`, sk: key.slice(bar + 1) };
};

/**
 * A rollup key `@kind#id` (e.g. `@customer#C1`) is stored as member `id` of the partition `N#@kind#`, so one
 * Query reads every rollup of a kind (every customer's labels for a breakdown).
 */
const nodeItemKey = (key: string) => {
  const hash = key.indexOf('#');
  return hash < 0
    ? { pk: `${keyPrefixes.node}${key}`, sk: '#' }
    : { pk: `${keyPrefixes.node}${key.slice(0, hash + 1)}`, sk: key.slice(hash + 1) };
};

/** The rollup key a node item was stored under (the inverse of `itemKeys.node`). */
export const nodeKeyOf = (item: { pk?: unknown; sk?: unknown }): string => {
  const base = String(item.pk).slice(keyPrefixes.node.length);
  return base.endsWith('#') ? `${base}${String(item.sk)}` : base;
};

export const itemKeys = {
  entity: (key: string) => ({ pk: `${keyPrefixes.entity}${key}`, sk: '#' }),
  node: nodeItemKey,
  /** The partition holding every rollup whose key starts with `prefix` (`@customer#`). */
  nodePartition: (prefix: string) => `${keyPrefixes.node}${prefix}`,
  aggregate: aggregateItemKey,
  /** The partition holding every member of an aggregate partition (`bycust#2026-11`). */
  aggregatePartition: (partition: string) => `${keyPrefixes.aggregate}${partition}`,
  alert: (key: string) => ({ pk: `${keyPrefixes.alert}${key}`, sk: '#' }),
  /** Configuration documents (KPI profiles, users). */
  document: (kind: string, id: string) => ({ pk: `${keyPrefixes.document}${kind}`, sk: id }),
  /** The snapshot of the "now" figures taken on a local day. */
  snapshot: (day: string) => ({ pk: `${keyPrefixes.snapshot}now`, sk: day }),
  /** The partition holding every document of a kind. */
  documentPartition: (kind: string) => `${keyPrefixes.document}${kind}`,
  /** Journals waiting to be folded: one partition, in the order of their ids (engine.ts, fold.ts). */
  journal: (id: string) => ({ pk: keyPrefixes.journal, sk: id }),
  journalPartition: keyPrefixes.journal,
  /** The fold lease, the fold numbers given out and the fold begun and not ended. */
  fold: { pk: `${keyPrefixes.fold}lease`, sk: '#' },
};

/** The entity key an entity item was stored under (the inverse of `itemKeys.entity`). */
export const entityKeyOf = (item: { pk?: unknown }): string => String(item.pk).slice(keyPrefixes.entity.length);

/** The aggregate key an item was stored under (the inverse of `itemKeys.aggregate`). */
export const aggregateKeyOf = (item: { pk?: unknown; sk?: unknown }): string => {
  const base = String(item.pk).slice(keyPrefixes.aggregate.length);
  return item.sk === '#' ? base : `${base}|${String(item.sk)}`;
};

/** Creates the table (on-demand) if it does not exist; for DynamoDB Local and tests. */
export const ensureTable = async (db: DynamoDb, tableName: string): Promise<void> => {
  try {
    await db('DescribeTable', { TableName: tableName });
    return;
  } catch (error) {
    if (!(error instanceof AwsError && error.name === 'ResourceNotFoundException')) throw error;
  }
  const { partitionKey, sortKey, listIndex } = tableSchema;
  await db('CreateTable', {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, listIndex.partitionKey, listIndex.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: listIndex.name,
        KeySchema: [
          { AttributeName: listIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: listIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
};
