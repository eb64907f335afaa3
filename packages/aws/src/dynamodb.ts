import { randomUUID } from 'node:crypto';
import { type AwsJsonClientOptions, awsJsonClient, DYNAMODB } from './client.js';

/** A value as the application holds it; `undefined` map entries and list elements are left out, as not sent. */
export type NativeValue =
  | null
  | undefined
  | boolean
  | number
  | string
  | Uint8Array
  | NativeValue[]
  | { [name: string]: NativeValue };
export type NativeItem = Record<string, unknown>;

/** A value as DynamoDB's JSON protocol carries it (binary in base64). */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** One value in DynamoDB's form; what has no DynamoDB form (a function, NaN, a Date, a Set) is refused. */
export const toAttribute = (value: unknown): AttributeValue => {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be stored: DynamoDB numbers are finite`);
      // Refused as the SDK's marshall refuses it: fromAttribute would refuse to read it back.
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER)
        throw new RangeError(`${value} is beyond the precision of a JavaScript number`);
      return { N: String(value) };
    case 'object':
      if (value === null) return { NULL: true };
      if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') };
      if (Array.isArray(value)) return { L: value.filter((v) => v !== undefined).map(toAttribute) };
      if (isPlainObject(value)) return { M: toAttributeMap(value as NativeItem) };
      throw new TypeError(`a ${value.constructor?.name ?? 'object'} has no DynamoDB form`);
    default:
      throw new TypeError(`a ${typeof value} has no DynamoDB form`);
  }
};

export const toAttributeMap = (item: NativeItem): Record<string, AttributeValue> => {
  // fromEntries, not assignment, so that an attribute named __proto__ is kept as one.
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, toAttribute(value)]),
  );
};

/**
 * A number back from its decimal string. Integers beyond 2^53 are refused rather than rounded, as the SDK
 * does: a figure must never change on the way out.
 */
const toNumber = (text: string): number => {
  const value = Number(text);
  if (Number.isInteger(value) && !Number.isSafeInteger(value))
    throw new RangeError(`${text} is beyond the precision of a JavaScript number`);
  return value;
};

export const fromAttribute = (value: AttributeValue): unknown => {
  if ('S' in value) return value.S;
  if ('N' in value) return toNumber(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return fromAttributeMap(value.M);
  if ('L' in value) return value.L.map(fromAttribute);
  if ('B' in value) return Buffer.from(value.B, 'base64');
  throw new TypeError(`attribute type ${Object.keys(value).join(',')} is not one this store writes`);
};

export const fromAttributeMap = (map: Record<string, AttributeValue>): NativeItem =>
  Object.fromEntries(Object.entries(map).map(([name, value]) => [name, fromAttribute(value)]));

/** One item converted, to DynamoDB's form or back. */
type Convert = (map: object) => unknown;

/** Fields that hold one item (or key, or placeholder values), in requests and answers. */
const ITEM_FIELDS = ['Item', 'Key', 'ExclusiveStartKey', 'ExpressionAttributeValues', 'Attributes', 'LastEvaluatedKey'];
/** Fields that hold a list of items or keys. */
const ITEM_LIST_FIELDS = ['Items', 'Keys'];
/** Fields whose values are per-table (`RequestItems`, `Responses`…) or per-operation containers. */
const TABLE_MAPS = ['RequestItems', 'Responses', 'UnprocessedKeys', 'UnprocessedItems'];
const CONTAINERS = ['Put', 'Update', 'Delete', 'ConditionCheck', 'PutRequest', 'DeleteRequest'];

/**
 * A request or answer with every item in it converted by `convert` (to DynamoDB's form, or back): the
 * fields DynamoDB's API reference gives as attribute maps, in every action this project sends.
 */
const convertItems = (node: unknown, convert: Convert): unknown => {
  if (Array.isArray(node)) return node.map((element) => convertItems(element, convert));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(node)) {
    if (value === undefined) continue;
    if (ITEM_FIELDS.includes(field)) out[field] = convert(value as object);
    else if (ITEM_LIST_FIELDS.includes(field)) out[field] = (value as object[]).map((item) => convert(item));
    else if (TABLE_MAPS.includes(field))
      out[field] = Object.fromEntries(
        Object.entries(value as object).map(([table, v]) => [
          table,
          Array.isArray(v) && field === 'Responses' ? v.map((item: object) => convert(item)) : convertItems(v, convert),
        ]),
      );
    else if (field === 'TransactItems' || CONTAINERS.includes(field)) out[field] = convertItems(value, convert);
    else out[field] = value;
  }
  return out;
};

/** The DynamoDB actions this project sends. */
export type DynamoAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems'
  | 'DescribeTable'
  | 'CreateTable'
  | 'DeleteTable'
  | 'ListTables';

/** What DynamoDB answers, its items in the application's form. */
export interface DynamoOutput {
  Item?: NativeItem;
  Items?: NativeItem[];
  Attributes?: NativeItem;
  LastEvaluatedKey?: NativeItem;
  Responses?: Record<string, NativeItem[]>;
  UnprocessedKeys?: Record<string, { Keys: NativeItem[]; ConsistentRead?: boolean }>;
  UnprocessedItems?: Record<string, Record<string, { Item?: NativeItem; Key?: NativeItem }>[]>;
  [field: string]: unknown;
}

/** DynamoDB with items in the application's form (as the SDK's document client): every action the same way. */
export type DynamoDb = (action: DynamoAction, input: Record<string, unknown>) => Promise<DynamoOutput>;

/**
 * A DynamoDB client on the JSON protocol: items go out in DynamoDB's form and come back in the application's.
 * Each TransactWriteItems gets a ClientRequestToken (unless it has one), so a try repeated after a broken
 * connection is applied once, as the SDK does.
 */
export const dynamoDb = (options: AwsJsonClientOptions = {}): DynamoDb => {
  const client = awsJsonClient(DYNAMODB, options);
  return async (action, input) => {
    const request =
      action === 'TransactWriteItems' && input.ClientRequestToken === undefined
        ? { ...input, ClientRequestToken: randomUUID() }
        : input;
    const answer = await client(action, convertItems(request, (item) => toAttributeMap(item as NativeItem)) as object);
    return convertItems(answer, (map) => fromAttributeMap(map as Record<string, AttributeValue>)) as DynamoOutput;
  };
};
