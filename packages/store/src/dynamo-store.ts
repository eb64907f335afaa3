import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type CommitPlan,
  ConflictError,
  CoreError,
  type EntityState,
  type EntityStore,
  type Listing,
  type Stored,
  ThrottledError,
  type Values,
} from '@flash/core';
import { StoreRejectedError, StoreUnavailableError } from './errors.js';
import { aggregateKeyOf, itemKeys, nodeKeyOf, tableSchema } from './schema.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Aggregate fields are top-level number attributes with this prefix, so `ADD` can increment them. */
const FIELD = 'v:';

export interface AggregateRecord {
  values: Values;
  /** Processing time of the last commit that changed it. */
  updatedAt: string | undefined;
}

export interface ListOptions {
  /** Lowest sort key to include. */
  from?: string;
  /** Highest sort key to include. */
  to?: string;
  oldestFirst?: boolean;
}

export interface AlertRecord {
  key: string;
  raisedAt: string;
  [field: string]: unknown;
}

/** An alert as stored, with where its delivery stands. */
export interface StoredAlert {
  alert: AlertRecord;
  /** Its `Detractor Detected` event is on the bus (published once, whatever happens to Slack). */
  notified: boolean;
  /** When it was posted to the Slack-compatible webhook; undefined until then. */
  slackDeliveredAt: string | undefined;
}

/** Every item a Query finds, page after page. */
export async function* queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Item> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* (page.Items ?? []) as Item[];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
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
    for (const item of items) out.set(nodeKeyOf(item), { value: item.vals as Values, rev: Number(item.rev) });
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
      throw commitError(error);
    }
  }

  /** Aggregates by key, in one BatchGetItem per 100 keys. */
  async getAggregates(keys: readonly string[]): Promise<Map<string, AggregateRecord>> {
    const items = await this.batchGet(keys.map(itemKeys.aggregate));
    const out = new Map<string, AggregateRecord>();
    for (const item of items) out.set(aggregateKeyOf(item), aggregateRecord(item));
    return out;
  }

  /** Every member of an aggregate partition (`partition|member` keys), by member. */
  async listAggregatePartition(partition: string): Promise<Map<string, AggregateRecord>> {
    const out = new Map<string, AggregateRecord>();
    for await (const item of this.queryPartition(`A#${partition}`)) out.set(String(item.sk), aggregateRecord(item));
    return out;
  }

  /** Every rollup of a kind (`@customer#`), by the id part of its key. */
  async listRollups(prefix: string): Promise<Map<string, Values>> {
    const out = new Map<string, Values>();
    for await (const item of this.queryPartition(itemKeys.nodePartition(prefix)))
      out.set(String(item.sk), item.vals as Values);
    return out;
  }

  async putDocument(kind: string, id: string, document: unknown): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...itemKeys.document(kind, id), document } }),
    );
  }

  async getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>> {
    const items = await this.batchGet(ids.map((id) => itemKeys.document(kind, id)));
    return new Map(items.map((item) => [String(item.sk), item.document]));
  }

  async listDocuments(kind: string): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for await (const item of this.queryPartition(itemKeys.document(kind, '').pk))
      out.set(String(item.sk), item.document);
    return out;
  }

  /**
   * Entities listed under `list`, newest first by their listing sort key, or oldest first; `range` bounds the
   * sort key (inclusive).
   */
  async listEntities(list: string, limit: number, options: ListOptions = {}): Promise<EntityState[]> {
    const items = await this.queryList(list, limit, options);
    return items.map((item) => item.state as EntityState);
  }

  /**
   * Stores an alert unless one exists for its key, as not yet notified (published on the bus). Answers the
   * stored alert (the first one raised, whichever call stored it) and whether it was already published, so
   * that a retry after a failed publication publishes it and a redelivery after a successful one does not.
   */
  async recordAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; notified: boolean }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...itemKeys.alert(alert.key),
            alert,
            notified: false,
            ...listingAttributes({ list: 'alerts', sort: `${alert.raisedAt}#${alert.key}` }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { alert, notified: false };
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw unavailable('recordAlert', error);
    }
    let stored: Item | undefined;
    try {
      stored = (
        await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: itemKeys.alert(alert.key), ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('recordAlert', error);
    }
    if (!stored) throw new StoreUnavailableError(`alert ${alert.key} vanished while being recorded`);
    return { alert: stored.alert as AlertRecord, notified: isNotified(stored) };
  }

  /** Marks an alert as published, once its `Detractor Detected` event is on the bus. */
  async markAlertNotified(key: string): Promise<void> {
    await this.setAlertAttribute('markAlertNotified', key, 'notified', true);
  }

  /** The alert stored under a key, and where its delivery stands (strongly consistent); undefined if none. */
  async getAlert(key: string): Promise<StoredAlert | undefined> {
    let item: Item | undefined;
    try {
      item = (
        await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: itemKeys.alert(key), ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('getAlert', error);
    }
    if (!item) return undefined;
    return {
      alert: item.alert as AlertRecord,
      notified: isNotified(item),
      slackDeliveredAt: typeof item.slackDeliveredAt === 'string' ? item.slackDeliveredAt : undefined,
    };
  }

  /** Marks an alert as posted to the Slack-compatible webhook, at this time. */
  async markSlackDelivered(key: string, at: string): Promise<void> {
    await this.setAlertAttribute('markSlackDelivered', key, 'slackDeliveredAt', at);
  }

  private async setAlertAttribute(operation: string, key: string, name: string, value: unknown): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKeys.alert(key),
          UpdateExpression: 'SET #n = :v',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#n': name },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    } catch (error) {
      throw unavailable(operation, error);
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
    for await (const item of this.scanPrefix('N#')) nodes.set(nodeKeyOf(item), item.vals as Values);
    for await (const item of this.scanPrefix('A#')) aggregates.set(aggregateKeyOf(item), aggregateRecord(item));
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
    const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let request: BatchGetCommandInput['RequestItems'] = {
        [this.tableName]: { Keys: unique.slice(i, i + 100), ConsistentRead: true },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new ThrottledError('BatchGetItem left keys unprocessed after 8 retries');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
        let response: BatchGetCommandOutput;
        try {
          response = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        } catch (error) {
          throw isThrottling(error)
            ? new ThrottledError(`BatchGetItem throttled: ${(error as Error).message}`, { cause: error })
            : unavailable('BatchGetItem', error);
        }
        out.push(...(response.Responses?.[this.tableName] ?? []));
        request = response.UnprocessedKeys;
      }
    }
    return out;
  }

  private async queryList(
    list: string,
    limit: number,
    { from, to, oldestFirst = false }: ListOptions = {},
  ): Promise<Item[]> {
    const { name, partitionKey, sortKey } = tableSchema.listIndex;
    const values: Record<string, string> = { ':l': list };
    const range: string[] = [];
    if (from !== undefined) {
      values[':from'] = from;
      range.push('#s >= :from');
    }
    if (to !== undefined) {
      values[':to'] = to;
      range.push('#s <= :to');
    }
    const condition = range.length === 2 ? '#l = :l AND #s BETWEEN :from AND :to' : ['#l = :l', ...range].join(' AND ');
    const response = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: name,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: { '#l': partitionKey, ...(range.length > 0 ? { '#s': sortKey } : {}) },
        ExpressionAttributeValues: values,
        ScanIndexForward: oldestFirst,
        Limit: limit,
      }),
    );
    return (response.Items ?? []) as Item[];
  }

  private queryPartition(pk: string): AsyncGenerator<Item> {
    return queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
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
      yield* (page.Items ?? []) as Item[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

/** Alerts stored before the flag existed were published in the same invocation that stored them. */
const isNotified = (item: Item): boolean => item.notified !== false;

const listingAttributes = (listing: Listing | undefined): Item =>
  listing ? { [tableSchema.listIndex.partitionKey]: listing.list, [tableSchema.listIndex.sortKey]: listing.sort } : {};

const aggregateRecord = (item: Item): AggregateRecord => {
  const values: Values = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(FIELD) && typeof value === 'number' && value !== 0) values[name.slice(FIELD.length)] = value;
  }
  return { values, updatedAt: typeof item.changedAt === 'string' ? item.changedAt : undefined };
};

/** Throttling as the SDK names it once its own retries are spent. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
]);
/** Requests DynamoDB refuses for what they are: sending them again cannot help. */
const REJECTED = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const isThrottling = (error: unknown): boolean => THROTTLING.has(errorName(error));

/**
 * How a failed TransactWriteItems is reported to the engine: a condition that no longer holds or a
 * concurrent transaction is a conflict (plan again); throttling, on the whole request or on single items, is
 * retried with backoff; validation is refused for good; anything else is the store being unavailable.
 */
const commitError = (error: unknown): Error => {
  if (error instanceof TransactionCanceledException) {
    const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    const summary = `commit cancelled (${reasons.join(', ')})`;
    if (reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict'))
      return new ConflictError(summary, { cause: error });
    if (reasons.some((code) => code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded'))
      return new ThrottledError(summary, { cause: error });
    if (reasons.some((code) => code === 'ValidationError' || code === 'ItemCollectionSizeLimitExceeded'))
      return new StoreRejectedError(summary, { cause: error });
  }
  if (isThrottling(error)) return new ThrottledError(`commit throttled: ${(error as Error).message}`, { cause: error });
  if (REJECTED.has(errorName(error)))
    return new StoreRejectedError(`commit refused: ${(error as Error).message}`, { cause: error });
  return unavailable('commit', error);
};

const unavailable = (operation: string, error: unknown): CoreError =>
  error instanceof CoreError
    ? error
    : new StoreUnavailableError(`${operation} failed: ${(error as Error).message}`, { cause: error });
