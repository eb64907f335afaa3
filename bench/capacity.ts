import type { DynamoDb, NativeValue } from '@flash/aws';

/**
 * DynamoDB capacity units computed from the requests a client actually sends, because DynamoDB Local reports
 * a flat figure (2 units per transaction whatever it holds). Sizes follow the DynamoDB item-size rules:
 * attribute name bytes + value bytes; strings by UTF-8 length, numbers 1 byte per two significant digits + 1,
 * booleans and null 1 byte, maps and lists 3 bytes + 1 byte per element. Values are sized in the
 * application's form, which is what DynamoStore sends.
 */

type Item = Record<string, NativeValue>;

const KB = 1024;
const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

const numberSize = (n: number): number => {
  const digits = String(n)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(digits.length / 2) + 1;
};

export const valueSize = (value: NativeValue): number => {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  if (typeof value === 'object') return 3 + itemSize(value as Item) + Object.keys(value).length;
  return 0;
};

/** Bytes of an item: every attribute's name plus its value (undefined attributes are not sent). */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((sum, [name, v]) => (v === undefined ? sum : sum + utf8(name) + valueSize(v)), 0);

/** Units for a size: writes per 1 KB, reads per 4 KB, at least one. */
const units = (bytes: number, per: number): number => Math.max(1, Math.ceil(bytes / per));

interface WriteRequest {
  Item?: Item;
  Key?: Item;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/**
 * Size of one write. An update is sized from its key plus the attribute names and values it carries, not from
 * the whole stored item (which the client never sees); DynamoDB charges the larger of the item before and
 * after, so this is a lower bound, exact for the small counters this project updates.
 */
const writeSize = (request: WriteRequest): number =>
  request.Item
    ? itemSize(request.Item)
    : itemSize(request.Key ?? {}) +
      Object.values(request.ExpressionAttributeNames ?? {}).reduce((sum, name) => sum + utf8(name), 0) +
      Object.values(request.ExpressionAttributeValues ?? {}).reduce((sum: number, v) => sum + valueSize(v), 0);

export interface WriteCost {
  units: number;
  items: number;
}

/**
 * Write units of one request. Transactions cost each item twice (prepare and commit). A Put carrying the
 * index partition key also writes the index (projection ALL): one more item of the same size, not doubled,
 * since index maintenance is not part of the transaction.
 */
export const writeCost = (action: string, input: Record<string, unknown>, indexKey?: string): WriteCost => {
  const single = (request: WriteRequest, factor: number): WriteCost => {
    const size = writeSize(request);
    const indexed = request.Item && indexKey !== undefined && request.Item[indexKey] !== undefined;
    return { units: factor * units(size, KB) + (indexed ? units(size, KB) : 0), items: 1 };
  };
  const sum = (costs: WriteCost[]): WriteCost =>
    costs.reduce((a, b) => ({ units: a.units + b.units, items: a.items + b.items }), { units: 0, items: 0 });
  switch (action) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return single(input as WriteRequest, 1);
    case 'TransactWriteItems': {
      const items = (input.TransactItems ?? []) as Record<string, WriteRequest>[];
      return sum(items.flatMap((entry) => Object.values(entry).map((request) => single(request, 2))));
    }
    case 'BatchWriteItem': {
      const tables = Object.values((input.RequestItems ?? {}) as Record<string, Record<string, WriteRequest>[]>);
      const requests = tables.flat().flatMap((entry) => Object.values(entry));
      return sum(requests.map((r) => single(r.Item ? r : { Key: (r as { Key?: Item }).Key ?? {} }, 1)));
    }
    default:
      return { units: 0, items: 0 };
  }
};

/**
 * Read units of one request from what it returned: per item in 4 KB steps for gets (a missing key still costs
 * one unit), the summed size in 4 KB steps for queries and scans; half for eventually consistent reads.
 */
export const readUnits = (action: string, input: Record<string, unknown>, output: Record<string, unknown>): number => {
  const consistency = (consistent: unknown) => (consistent === true ? 1 : 0.5);
  switch (action) {
    case 'GetItem':
      return units(output.Item ? itemSize(output.Item as Item) : 0, 4 * KB) * consistency(input.ConsistentRead);
    case 'BatchGetItem': {
      const requested = (input.RequestItems ?? {}) as Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>;
      const returned = (output.Responses ?? {}) as Record<string, Item[]>;
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys?: unknown[] }>;
      let total = 0;
      for (const [table, request] of Object.entries(requested)) {
        const items = returned[table] ?? [];
        const missing = (request.Keys?.length ?? 0) - items.length - (unprocessed[table]?.Keys?.length ?? 0);
        const found = items.reduce((sum, item) => sum + units(itemSize(item), 4 * KB), 0);
        total += (found + Math.max(0, missing)) * consistency(request.ConsistentRead);
      }
      return total;
    }
    case 'Query':
    case 'Scan': {
      const bytes = ((output.Items ?? []) as Item[]).reduce((sum, item) => sum + itemSize(item), 0);
      return units(bytes, 4 * KB) * consistency(input.ConsistentRead);
    }
    default:
      return 0;
  }
};

export interface CapacityTotals {
  writeUnits: number;
  readUnits: number;
  /** Items written (a transaction of n items counts n). */
  itemsWritten: number;
  /** Requests by action, with the time spent waiting for them. */
  requests: Record<string, { count: number; ms: number }>;
}

/** Counts capacity units of every request sent through the clients it meters. */
export class CapacityMeter {
  totals: CapacityTotals = CapacityMeter.empty();

  constructor(private readonly indexKey?: string) {}

  private static empty(): CapacityTotals {
    return { writeUnits: 0, readUnits: 0, itemsWritten: 0, requests: {} };
  }

  /** Returns the totals so far and starts counting from zero. */
  take(): CapacityTotals {
    const totals = this.totals;
    this.totals = CapacityMeter.empty();
    return totals;
  }

  /** `db`, counting every request it sends. */
  metered(db: DynamoDb): DynamoDb {
    return async (action, input) => {
      const started = performance.now();
      const output = await db(action, input);
      const ms = performance.now() - started;
      const write = writeCost(action, input, this.indexKey);
      this.totals.writeUnits += write.units;
      this.totals.itemsWritten += write.items;
      this.totals.readUnits += readUnits(action, input, output);
      const stats = this.totals.requests[action] ?? { count: 0, ms: 0 };
      this.totals.requests[action] = { count: stats.count + 1, ms: stats.ms + ms };
      return output;
    };
  }
}
