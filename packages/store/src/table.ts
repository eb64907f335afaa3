import { AwsError, type DynamoDb, type DynamoOutput, isThrottling } from '@flash/aws';
import {
  backoffMs,
  ConflictError,
  CoreError,
  type Listing,
  type ListOptions,
  sleep,
  ThrottledError,
} from '@flash/core';
import { StoreRejectedError, StoreUnavailableError } from './errors.js';
import { tableSchema } from './schema.js';

export type Item = Record<string, unknown>;
/** A type, not an interface, so that a key is an `Item` too. */
export type ItemKey = { pk: string; sk: string };

/** One write of a TransactWriteItems: a Put (`putInput`), an Update (`updateInput`) or a Delete. */
export type TransactItem =
  | { Put: ReturnType<Table['putInput']> }
  | { Update: ReturnType<Table['updateInput']> }
  | { Delete: { TableName: string; Key: ItemKey } };

/** An UpdateItem's expression with its placeholders. */
export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
}

/** A write's condition on the item it replaces, with its placeholders. */
export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/** The item exists, or none does. */
export const IF_PRESENT: Condition = { ConditionExpression: `attribute_exists(${tableSchema.partitionKey})` };
export const IF_ABSENT: Condition = { ConditionExpression: `attribute_not_exists(${tableSchema.partitionKey})` };

/** The attribute that counts an item's writes, for optimistic locking. */
export const REVISION = 'rev';

/** The item is at the revision read (null: none may exist yet). */
export const atRevision = (expected: number | null): Condition =>
  expected === null
    ? IF_ABSENT
    : {
        ConditionExpression: '#rev = :rev',
        ExpressionAttributeNames: { '#rev': REVISION },
        ExpressionAttributeValues: { ':rev': expected },
      };

interface Page {
  Items?: Item[] | undefined;
  LastEvaluatedKey?: Item | undefined;
}

/** Every item of every page `page` answers, from the first on: the paging of Query and Scan. */
async function* paginate(page: (startKey: Item | undefined) => Promise<Page>): AsyncGenerator<Item> {
  let startKey: Item | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await page(startKey);
    yield* Items;
    startKey = LastEvaluatedKey;
  } while (startKey);
}

/** Every item a Query finds, page after page. */
export const queryAll = (db: DynamoDb, input: Item): AsyncGenerator<Item> =>
  paginate((startKey) => db('Query', { ...input, ExclusiveStartKey: startKey }));

/**
 * One table, as every adapter of the store reaches it: each request goes out here and each error comes back
 * as the core's (`storeError`), so no adapter lets an SDK error through. `operation` names the adapter's
 * method in those errors.
 */
export class Table {
  constructor(
    readonly db: DynamoDb,
    readonly name: string,
  ) {}

  private send(operation: string, action: Parameters<DynamoDb>[0], input: Item): Promise<DynamoOutput> {
    return mapErrors(operation, () => this.db(action, input));
  }

  /** One item, read strongly consistent (GetItem); undefined if there is none. */
  async get(operation: string, key: ItemKey): Promise<Item | undefined> {
    return (await this.send(operation, 'GetItem', { TableName: this.name, Key: key, ConsistentRead: true })).Item;
  }

  /** Writes a whole item (PutItem), if `condition` holds on the one it replaces. */
  async put(operation: string, item: Item, condition?: Condition): Promise<void> {
    await this.send(operation, 'PutItem', this.putInput(item, condition));
  }

  /** Deletes an item (DeleteItem); deleting one that is not there is no error. */
  async delete(operation: string, key: ItemKey): Promise<void> {
    await this.send(operation, 'DeleteItem', { TableName: this.name, Key: key });
  }

  /**
   * Updates an item's attributes (UpdateItem), creating it if need be, if `condition` holds. The condition's
   * placeholders must not collide with the update's (`#SET0`…).
   */
  async update(operation: string, key: ItemKey, update: UpdateParts, condition?: Condition): Promise<void> {
    await this.send(operation, 'UpdateItem', this.updateInput(key, update, condition));
  }

  /** `update`, answering the item as it is after the update (for the few callers that read it back). */
  async updateReturning(operation: string, key: ItemKey, update: UpdateParts, condition?: Condition): Promise<Item> {
    const request = { ...this.updateInput(key, update, condition), ReturnValues: 'ALL_NEW' };
    return (await this.send(operation, 'UpdateItem', request)).Attributes ?? {};
  }

  /** Writes every item or none (TransactWriteItems): Puts (`putInput`) and Updates (`updateInput`). */
  async transactWrite(operation: string, items: TransactItem[]): Promise<void> {
    await this.send(operation, 'TransactWriteItems', { TransactItems: items });
  }

  putInput(item: Item, condition?: Condition) {
    return { TableName: this.name, Item: item, ...condition };
  }

  updateInput(key: ItemKey, update: UpdateParts, condition?: Condition) {
    return {
      TableName: this.name,
      Key: key,
      UpdateExpression: update.UpdateExpression,
      ConditionExpression: condition?.ConditionExpression,
      ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...condition?.ExpressionAttributeNames },
      ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...condition?.ExpressionAttributeValues },
    };
  }

  /** The first `limit` items of one partition in sort-key order (one Query, strongly consistent). */
  async queryFirst(operation: string, pk: string, limit: number): Promise<Item[]> {
    const request = {
      TableName: this.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': tableSchema.partitionKey },
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
      Limit: limit,
    };
    return (await this.send(operation, 'Query', request)).Items ?? [];
  }

  /** Items by key, strongly consistent, in one BatchGetItem per 100 keys; keys left unprocessed are asked again. */
  async batchGet(operation: string, keys: readonly ItemKey[]): Promise<Item[]> {
    const out: Item[] = [];
    const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let request: DynamoOutput['UnprocessedKeys'] = {
        [this.name]: { Keys: unique.slice(i, i + 100), ConsistentRead: true },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new ThrottledError(`${operation}: BatchGetItem left keys unprocessed after 8 retries`);
        if (attempt > 0) await sleep(backoffMs(attempt, 20));
        const response = await this.send(operation, 'BatchGetItem', { RequestItems: request });
        out.push(...(response.Responses?.[this.name] ?? []));
        request = response.UnprocessedKeys;
      }
    }
    return out;
  }

  /** Every item of one partition, page after page. */
  queryPartition(operation: string, pk: string): AsyncGenerator<Item> {
    const { partitionKey } = tableSchema;
    return mapEachError(
      operation,
      queryAll(this.db, {
        TableName: this.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partitionKey },
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
  }

  /** The items of one partition whose sort key lies from `from` to `to` inclusive, page after page. */
  queryRange(operation: string, pk: string, from: string, to: string): AsyncGenerator<Item> {
    const { partitionKey, sortKey } = tableSchema;
    return mapEachError(
      operation,
      queryAll(this.db, {
        TableName: this.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
      }),
    );
  }

  /**
   * The first `limit` items of a list on the list index, newest first by sort key (or oldest first), the sort
   * key bounded by `from` and `to` (inclusive).
   */
  async queryList(operation: string, list: string, limit: number, options: ListOptions = {}): Promise<Item[]> {
    const { from, to, oldestFirst = false } = options;
    const { name, partitionKey, sortKey } = tableSchema.listIndex;
    const values: Item = { ':l': list };
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
    const request = {
      TableName: this.name,
      IndexName: name,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: { '#l': partitionKey, ...(range.length > 0 ? { '#s': sortKey } : {}) },
      ExpressionAttributeValues: values,
      ScanIndexForward: oldestFirst,
      Limit: limit,
    };
    return (await this.send(operation, 'Query', request)).Items ?? [];
  }

  /** Every item whose partition key starts with `prefix`, page after page (a Scan: rebuild only). */
  scanPrefix(operation: string, prefix: string): AsyncGenerator<Item> {
    const scan = (startKey: Item | undefined) =>
      this.db('Scan', {
        TableName: this.name,
        FilterExpression: 'begins_with(#pk, :p)',
        ExpressionAttributeNames: { '#pk': tableSchema.partitionKey },
        ExpressionAttributeValues: { ':p': prefix },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
    return mapEachError(operation, paginate(scan));
  }
}

/**
 * `SET` these attributes and `ADD` to these numbers (an ADD creates a missing number at 0), every name and
 * value through a placeholder, so any attribute name (`v:amount:EUR`) is safe.
 */
export const updateExpression = (set: Item, add: Record<string, number> = {}): UpdateParts => {
  const names: Record<string, string> = {};
  const values: Item = {};
  const clause = (verb: string, attributes: Item, render: (name: string, value: string) => string) => {
    const parts = Object.entries(attributes).map(([attribute, value], i) => {
      names[`#${verb}${i}`] = attribute;
      values[`:${verb}${i}`] = value;
      return render(`#${verb}${i}`, `:${verb}${i}`);
    });
    return parts.length > 0 ? [`${verb} ${parts.join(', ')}`] : [];
  };
  const clauses = [...clause('SET', set, (n, v) => `${n} = ${v}`), ...clause('ADD', add, (n, v) => `${n} ${v}`)];
  return { UpdateExpression: clauses.join(' '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
};

/** The entries `entry` makes of items, as a map. */
export const toMap = async <T>(
  items: AsyncIterable<Item>,
  entry: (item: Item) => [string, T],
): Promise<Map<string, T>> => {
  const out = new Map<string, T>();
  for await (const item of items) out.set(...entry(item));
  return out;
};

/** The attributes that put an item on the list index, or none. */
export const listingAttributes = (listing: Listing | undefined): Item =>
  listing ? { [tableSchema.listIndex.partitionKey]: listing.list, [tableSchema.listIndex.sortKey]: listing.sort } : {};

/** Requests DynamoDB refuses for what they are: sending them again cannot help. */
const REJECTED = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * What a failed request means, in the core's words: a condition that no longer holds or a concurrent
 * transaction is a conflict (read and plan again); throttling, of the whole request or of single items of a
 * transaction, is retried with backoff; validation is refused for good; anything else is the store being
 * unavailable. Errors that already are the core's pass through.
 */
export const storeError = (operation: string, error: unknown): CoreError => {
  if (error instanceof CoreError) return error;
  const cause = { cause: error };
  if (error instanceof AwsError && error.name === 'TransactionCanceledException') {
    const cancellation = (error.details.CancellationReasons ?? []) as { Code?: string }[];
    const reasons = cancellation.map((r) => r.Code ?? 'None');
    const summary = `${operation} cancelled (${reasons.join(', ')})`;
    if (reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict'))
      return new ConflictError(summary, cause);
    if (reasons.some((code) => code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded'))
      return new ThrottledError(summary, cause);
    if (reasons.some((code) => code === 'ValidationError' || code === 'ItemCollectionSizeLimitExceeded'))
      return new StoreRejectedError(summary, cause);
  }
  const name = errorName(error);
  if (name === 'ConditionalCheckFailedException')
    return new ConflictError(`${operation}: condition failed: ${messageOf(error)}`, cause);
  // Throttling the client's own retries did not outlast.
  if (isThrottling(error)) return new ThrottledError(`${operation} throttled: ${messageOf(error)}`, cause);
  if (REJECTED.has(name)) return new StoreRejectedError(`${operation} refused: ${messageOf(error)}`, cause);
  return new StoreUnavailableError(`${operation} failed: ${messageOf(error)}`, cause);
};

const mapErrors = async <T>(operation: string, request: () => Promise<T>): Promise<T> => {
  try {
    return await request();
  } catch (error) {
    throw storeError(operation, error);
  }
};

async function* mapEachError(operation: string, items: AsyncIterable<Item>): AsyncGenerator<Item> {
  try {
    yield* items;
  } catch (error) {
    throw storeError(operation, error);
  }
}
