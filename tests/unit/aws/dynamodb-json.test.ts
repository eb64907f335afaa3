import { randomUUID } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type AttributeValue,
  AwsError,
  type DynamoDb,
  dynamoDb,
  fromAttribute,
  fromAttributeMap,
  type NativeItem,
  toAttribute,
  toAttributeMap,
} from '@flash/aws';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../../packages/local/src/dynamodb-local.js';

/**
 * DynamoDB's JSON form of items, against the AWS SDK's own converter (@aws-sdk/util-dynamodb), and the
 * document-level client against a real DynamoDB Local.
 */

/** A value as it comes back from storage: no undefined entries, no -0 (DynamoDB has one zero), binary as bytes. */
const stored = (value: unknown): unknown => {
  if (Object.is(value, -0)) return 0;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(stored);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, stored(v)]),
    );
  return value;
};

/** The reference's attribute values with their binary (Uint8Array) in base64, as the JSON protocol carries it. */
const binaryAsBase64 = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(binaryAsBase64);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, binaryAsBase64(v)]));
  return value;
};

// Attribute names of any Unicode but `__proto__`, which the reference drops (it assigns to a plain object).
const name = fc.string({ unit: 'binary', maxLength: 6 }).filter((key) => key !== '__proto__');
const number = fc.oneof(
  fc.maxSafeInteger(),
  // Doubles the reference accepts: it refuses magnitudes beyond 2^53 - 1 (they may have lost digits already).
  fc.double({ noNaN: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 10 }),
    number,
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 12 }),
    // Undefined list elements and map entries are left out, as not sent.
    fc.array(fc.option(tie('value'), { nil: undefined, freq: 8 }), { maxLength: 4 }),
    fc.dictionary(name, fc.option(tie('value'), { nil: undefined, freq: 8 }), { maxKeys: 4 }),
  ),
}));
const item = fc.dictionary(name, value, { maxKeys: 5 }) as fc.Arbitrary<NativeItem>;

describe('toAttribute and fromAttribute against @aws-sdk/util-dynamodb', () => {
  it('converts any value as the reference marshall does (binary in base64)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const reference = marshall(v, { removeUndefinedValues: true, convertTopLevelContainer: true });
        expect(toAttribute(v)).toEqual(binaryAsBase64(reference));
      }),
      { numRuns: 1000 },
    );
  });

  it('converts any item as the reference marshall does', () => {
    fc.assert(
      fc.property(item, (i) => {
        expect(toAttributeMap(i)).toEqual(binaryAsBase64(marshall(i, { removeUndefinedValues: true })));
      }),
      { numRuns: 500 },
    );
  });

  it('gives back the value it was given, as the reference unmarshall does', () => {
    fc.assert(
      fc.property(item, (i) => {
        const back = fromAttributeMap(toAttributeMap(i));
        expect(stored(back)).toEqual(stored(i));
        expect(stored(back)).toEqual(stored(unmarshall(marshall(i, { removeUndefinedValues: true }))));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the reference’s JSON form (its binary in base64) back to the same values', () => {
    fc.assert(
      fc.property(item, (i) => {
        const json = binaryAsBase64(marshall(i, { removeUndefinedValues: true })) as Record<string, AttributeValue>;
        expect(stored(fromAttributeMap(json))).toEqual(stored(i));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps empty strings, empty binary, empty lists and maps, and Unicode as they are', () => {
    expect(toAttributeMap({ s: '', b: new Uint8Array(), l: [], m: {}, u: 'Zoë 😀 \u0000' })).toEqual({
      s: { S: '' },
      b: { B: '' },
      l: { L: [] },
      m: { M: {} },
      u: { S: 'Zoë 😀 \u0000' },
    });
    expect(fromAttribute({ B: 'AP8BgA==' })).toEqual(Buffer.from([0, 255, 1, 128]));
    expect(fromAttribute({ N: '-0.125' })).toBe(-0.125);
    expect(fromAttribute({ N: '9007199254740991' })).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', new Date('2026-11-30T00:00:00Z')],
    ['a Set', new Set([1, 2])],
    ['a Map', new Map([['a', 1]])],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ])('refuses %s with a TypeError, alone or inside an item', (_, refused) => {
    expect(() => toAttribute(refused)).toThrow(TypeError);
    expect(() => toAttributeMap({ nested: { list: [1, refused] } })).toThrow(TypeError);
  });

  it('refuses to read an integer beyond 2^53 rather than round it', () => {
    expect(() => fromAttribute({ N: '9007199254740993' })).toThrow(RangeError);
    expect(() => fromAttributeMap({ a: { L: [{ N: '-9007199254740993' }] } })).toThrow(RangeError);
  });

  it('refuses to write a number beyond 2^53 - 1 it could not read back, as the reference marshall refuses it', () => {
    // 2^53 and 1e20 are exact doubles, but read back they would be refused as possibly rounded.
    for (const big of [2 ** 53, -(2 ** 53), 1e20, Number.MAX_VALUE]) {
      expect(() => marshall({ big })).toThrow();
      expect(() => toAttribute(big)).toThrow(RangeError);
    }
  });

  it('keeps an attribute named __proto__ as an attribute, both ways (the reference drops it)', () => {
    const item = JSON.parse('{"__proto__": "kept", "other": 1}') as Record<string, unknown>;
    const stored = toAttributeMap(item);
    expect(Object.keys(stored)).toEqual(['__proto__', 'other']);
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ S: 'kept' });
    const read = fromAttributeMap(stored);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toBe('kept');
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
  });
});

describe('dynamoDb against DynamoDB Local', () => {
  let local: { endpoint: string; stop(): Promise<void> } | undefined;
  let db: DynamoDb;
  const TableName = `aws-json-${randomUUID()}`;

  beforeAll(async () => {
    const started = await startDynamoDbLocal();
    local = { endpoint: started.endpoint, stop: started.stop };
    db = dynamoDb({
      endpoint: local.endpoint,
      region: 'local',
      credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
    });
    await db('CreateTable', {
      TableName,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });
  afterAll(async () => {
    await local?.stop();
  });

  const get = async (pk: string, sk: string) =>
    (await db('GetItem', { TableName, Key: { pk, sk }, ConsistentRead: true })).Item;

  it('puts a nested item with binary and gets the same item back', async () => {
    const item = {
      pk: 'customer#1',
      sk: 'profile',
      name: 'Zoë 😀',
      empty: '',
      count: 42,
      ratio: -0.125,
      active: true,
      nothing: null,
      blob: new Uint8Array([0, 255, 1, 128]),
      tags: ['a', 1, false, null, { deep: [new Uint8Array([7])] }],
      address: { city: 'Lyon', lines: [], geo: { lat: 45.764, lon: 4.8357 }, none: {} },
    };
    // An undefined attribute is left out of what is stored.
    await db('PutItem', { TableName, Item: { ...item, skipped: undefined } });

    const back = await get('customer#1', 'profile');
    expect(stored(back)).toEqual(item);
    expect(back).not.toHaveProperty('skipped');
  });

  it('writes a Put and an Update in one transaction', async () => {
    await db('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName, Item: { pk: 'tx', sk: '1', total: 10 }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName,
            Key: { pk: 'tx', sk: '2' },
            UpdateExpression: 'SET #total = if_not_exists(#total, :zero) + :n, tags = :tags',
            ExpressionAttributeNames: { '#total': 'total' },
            ExpressionAttributeValues: { ':zero': 0, ':n': 5, ':tags': ['x', { y: new Uint8Array([1]) }] },
          },
        },
      ],
    });
    expect(await get('tx', '1')).toEqual({ pk: 'tx', sk: '1', total: 10 });
    expect(stored(await get('tx', '2'))).toEqual({
      pk: 'tx',
      sk: '2',
      total: 5,
      tags: ['x', { y: new Uint8Array([1]) }],
    });
  });

  it('answers UpdateItem’s Attributes in native form', async () => {
    const { Attributes } = await db('UpdateItem', {
      TableName,
      Key: { pk: 'counter', sk: 'c' },
      UpdateExpression: 'ADD hits :one',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'ALL_NEW',
    });
    expect(Attributes).toEqual({ pk: 'counter', sk: 'c', hits: 1 });
  });

  it('answers BatchGetItem’s Responses in native form', async () => {
    await db('BatchWriteItem', {
      RequestItems: {
        [TableName]: [
          { PutRequest: { Item: { pk: 'batch', sk: 'a', n: 1, b: new Uint8Array([9]) } } },
          { PutRequest: { Item: { pk: 'batch', sk: 'b', n: 2, list: [{ m: 'x' }] } } },
        ],
      },
    });
    const { Responses, UnprocessedKeys } = await db('BatchGetItem', {
      RequestItems: {
        [TableName]: {
          Keys: [
            { pk: 'batch', sk: 'a' },
            { pk: 'batch', sk: 'b' },
            { pk: 'batch', sk: 'missing' },
          ],
          ConsistentRead: true,
        },
      },
    });
    const items = [...(Responses?.[TableName] ?? [])].sort((x, y) => String(x.sk).localeCompare(String(y.sk)));
    expect(stored(items)).toEqual([
      { pk: 'batch', sk: 'a', n: 1, b: new Uint8Array([9]) },
      { pk: 'batch', sk: 'b', n: 2, list: [{ m: 'x' }] },
    ]);
    expect(UnprocessedKeys ?? {}).toEqual({});
  });

  it('pages a Query with a native LastEvaluatedKey that works when sent back', async () => {
    for (const sk of ['a', 'b', 'c']) await db('PutItem', { TableName, Item: { pk: 'page', sk, at: sk } });
    const pages: { items: unknown[]; last: NativeItem | undefined }[] = [];
    let ExclusiveStartKey: NativeItem | undefined;
    do {
      const answer = await db('Query', {
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'page' },
        Limit: 1,
        ExclusiveStartKey,
      });
      pages.push({ items: answer.Items ?? [], last: answer.LastEvaluatedKey });
      ExclusiveStartKey = answer.LastEvaluatedKey;
    } while (ExclusiveStartKey && pages.length < 10);

    expect(pages[0]).toEqual({ items: [{ pk: 'page', sk: 'a', at: 'a' }], last: { pk: 'page', sk: 'a' } });
    expect(pages.flatMap((page) => page.items)).toEqual([
      { pk: 'page', sk: 'a', at: 'a' },
      { pk: 'page', sk: 'b', at: 'b' },
      { pk: 'page', sk: 'c', at: 'c' },
    ]);
  });

  it('rejects a failed ConditionExpression as ConditionalCheckFailedException', async () => {
    await db('PutItem', { TableName, Item: { pk: 'cond', sk: '1', v: 1 } });
    const error = await db('PutItem', {
      TableName,
      Item: { pk: 'cond', sk: '1', v: 2 },
      ConditionExpression: 'attribute_not_exists(pk)',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).name).toBe('ConditionalCheckFailedException');
    expect((error as AwsError).status).toBe(400);
    expect((error as AwsError).retryable).toBe(false);
    expect(await get('cond', '1')).toEqual({ pk: 'cond', sk: '1', v: 1 });
  });

  it('rejects a transaction whose condition fails as TransactionCanceledException, writing nothing', async () => {
    await db('PutItem', { TableName, Item: { pk: 'txfail', sk: 'exists' } });
    const error = await db('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName, Item: { pk: 'txfail', sk: 'exists' }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName, Item: { pk: 'txfail', sk: 'new' } } },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).name).toBe('TransactionCanceledException');
    const reasons = (error as AwsError).details.CancellationReasons as { Code: string }[];
    expect(reasons[0]?.Code).toBe('ConditionalCheckFailed');
    expect(reasons[1]?.Code).toBe('None');
    expect(await get('txfail', 'new')).toBeUndefined();
  });
});
