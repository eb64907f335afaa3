import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type CommitPlan,
  ConflictError,
  type EntityState,
  type EntityStore,
  type Listing,
  type Stored,
  type Values,
} from '@flash/core';
import { StoreError, StoreUnavailableError } from './errors.js';
import { itemKeys, tableSchema } from './schema.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Aggregate fields are top-level number attributes with this prefix, so `ADD` can increment them. */
const FIELD = 'v:';

export interface AggregateRecord {
  values: Values;
  /** Processing time of the last commit that changed it. */
  updatedAt: string | undefined;
}

export interface AlertRecord {
  key: string;
  raisedAt: string;
  [field: string]: unknown;
}

export const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/**
 * The DynamoDB adapter: entity states and rollup nodes with a revision for optimistic locking, aggregates
 * as atomic counters, and the one secondary index for ordered lists (detractors, alerts).
 */
export class DynamoStore implements EntityStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = documentClient(client);
  }

  async loadEntities(keys: readonly string[]): Promise<Map<string, Stored<EntityState>>> {
    const items = await this.batchGet(keys.map(itemKeys.entity));
    const out = new Map<string, Stored<EntityState>>();
    for (const item of items)
      out.set(String(item.pk).slice(2), { value: item.state as EntityState, rev: Number(item.rev) });
    return out;
  }

  async loadNodes(keys: readonly string[]): Promise<Map<string, Stored<Values>>> {
    const items = await this.batchGet(keys.map(itemKeys.node));
    const out = new Map<string, Stored<Values>>();
    for (const item of items) out.set(String(item.pk).slice(2), { value: item.vals as Values, rev: Number(item.rev) });
    return out;
  }

  async commit(plan: CommitPlan): Promise<void> {
    const items: TransactItem[] = [
      ...plan.entities.map((e) =>
        this.conditionalPut(
          {
            ...itemKeys.entity(e.key),
            state: e.state,
            ...listingAttributes(e.listing),
          },
          e.expectedRev,
        ),
      ),
      ...plan.nodes.map((n) => this.conditionalPut({ ...itemKeys.node(n.key), vals: n.values }, n.expectedRev)),
      ...plan.aggregates.map((a) => ({ Update: this.incrementInput(a.key, a.delta, plan.at) })),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) {
          throw new ConflictError(`commit cancelled (${reasons.join(', ')})`, { cause: error });
        }
      }
      throw unavailable('commit', error);
    }
  }

  /** Aggregates by key, in one BatchGetItem per 100 keys. */
  async getAggregates(keys: readonly string[]): Promise<Map<string, AggregateRecord>> {
    const items = await this.batchGet(keys.map(itemKeys.aggregate));
    const out = new Map<string, AggregateRecord>();
    for (const item of items) out.set(String(item.pk).slice(2), aggregateRecord(item));
    return out;
  }

  /** Entities listed under `list`, newest first (by their listing sort key). */
  async listEntities(list: string, limit: number): Promise<EntityState[]> {
    const items = await this.queryList(list, limit);
    return items.map((item) => item.state as EntityState);
  }

  /** Stores an alert unless one exists for that key; true when this call created it. */
  async recordAlertOnce(alert: AlertRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...itemKeys.alert(alert.key),
            alert,
            ...listingAttributes({ list: 'alerts', sort: `${alert.raisedAt}#${alert.key}` }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw unavailable('recordAlertOnce', error);
    }
  }

  async listAlerts(limit: number): Promise<AlertRecord[]> {
    const items = await this.queryList('alerts', limit);
    return items.map((item) => item.alert as AlertRecord);
  }

  /** Every stored entity state, page by page (for rebuild and verify). */
  async *scanEntities(): AsyncGenerator<EntityState> {
    for await (const item of this.scanPrefix('E#')) yield item.state as EntityState;
  }

  /** Every stored rollup node and aggregate (for rebuild and verify). */
  async scanDerived(): Promise<{ nodes: Map<string, Values>; aggregates: Map<string, AggregateRecord> }> {
    const nodes = new Map<string, Values>();
    const aggregates = new Map<string, AggregateRecord>();
    for await (const item of this.scanPrefix('N#')) nodes.set(String(item.pk).slice(2), item.vals as Values);
    for await (const item of this.scanPrefix('A#')) aggregates.set(String(item.pk).slice(2), aggregateRecord(item));
    return { nodes, aggregates };
  }

  /** Overwrites one rollup node (rebuild). Bumps its revision so a concurrent planner conflicts. */
  async replaceNode(key: string, values: Values): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.node(key),
        UpdateExpression: 'SET vals = :v ADD #rev :one',
        ExpressionAttributeNames: { '#rev': 'rev' },
        ExpressionAttributeValues: { ':v': values, ':one': 1 },
      }),
    );
  }

  /** Overwrites one aggregate with exact values (rebuild); fields not given are set to 0. */
  async replaceAggregate(key: string, values: Values, previous: Values, at: string): Promise<void> {
    const fields = new Set([...Object.keys(values), ...Object.keys(previous)]);
    const names: Record<string, string> = { '#at': 'changedAt' };
    const exprValues: Record<string, unknown> = { ':at': at };
    const sets = ['#at = :at'];
    [...fields].forEach((field, i) => {
      names[`#f${i}`] = FIELD + field;
      exprValues[`:f${i}`] = values[field] ?? 0;
      sets.push(`#f${i} = :f${i}`);
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: itemKeys.aggregate(key),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: exprValues,
      }),
    );
  }

  private conditionalPut(item: Item, expectedRev: number | null): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...item, rev: (expectedRev ?? 0) + 1 },
        ConditionExpression: expectedRev === null ? 'attribute_not_exists(pk)' : '#rev = :rev',
        ...(expectedRev === null
          ? {}
          : { ExpressionAttributeNames: { '#rev': 'rev' }, ExpressionAttributeValues: { ':rev': expectedRev } }),
      },
    };
  }

  private incrementInput(key: string, delta: Values, at: string) {
    const names: Record<string, string> = { '#at': 'changedAt' };
    const values: Record<string, unknown> = { ':at': at };
    const adds = Object.entries(delta).map(([field, amount], i) => {
      names[`#f${i}`] = FIELD + field;
      values[`:f${i}`] = amount;
      return `#f${i} :f${i}`;
    });
    return {
      TableName: this.tableName,
      Key: itemKeys.aggregate(key),
      UpdateExpression: `SET #at = :at ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const out: Item[] = [];
    const unique = [...new Map(keys.map((k) => [k.pk, k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let request: BatchGetCommandInput['RequestItems'] = {
        [this.tableName]: { Keys: unique.slice(i, i + 100), ConsistentRead: true },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new StoreUnavailableError('BatchGetItem left keys unprocessed after 8 retries');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        let response: BatchGetCommandOutput;
        try {
          response = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        } catch (error) {
          throw unavailable('BatchGetItem', error);
        }
        out.push(...(response.Responses?.[this.tableName] ?? []));
        request = response.UnprocessedKeys;
      }
    }
    return out;
  }

  private async queryList(list: string, limit: number): Promise<Item[]> {
    const { name, partitionKey } = tableSchema.listIndex;
    const response = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: name,
        KeyConditionExpression: '#l = :l',
        ExpressionAttributeNames: { '#l': partitionKey },
        ExpressionAttributeValues: { ':l': list },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (response.Items ?? []) as Item[];
  }

  private async *scanPrefix(prefix: string): AsyncGenerator<Item> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': prefix },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) yield item;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

const listingAttributes = (listing: Listing | undefined): Item =>
  listing ? { [tableSchema.listIndex.partitionKey]: listing.list, [tableSchema.listIndex.sortKey]: listing.sort } : {};

const aggregateRecord = (item: Item): AggregateRecord => {
  const values: Values = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(FIELD) && typeof value === 'number' && value !== 0) values[name.slice(FIELD.length)] = value;
  }
  return { values, updatedAt: typeof item.changedAt === 'string' ? item.changedAt : undefined };
};

const unavailable = (operation: string, error: unknown): StoreError =>
  error instanceof StoreError
    ? error
    : new StoreUnavailableError(`${operation} failed: ${(error as Error).message}`, { cause: error });
