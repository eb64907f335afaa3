import { randomUUID } from 'node:crypto';
import { AwsError, type DynamoAction, type DynamoDb } from '@flash/aws';
import { dynamoStore, ensureTable } from '@flash/store';
import { afterEach, inject } from 'vitest';
import { localClient } from '../../packages/local/src/dynamodb-local.js';

/** A fresh table in the run's DynamoDB Local; `drop()` deletes it. */
export const freshTable = async () => {
  const client = localClient(inject('dynamoEndpoint'));
  const tableName = `t-${randomUUID()}`;
  await ensureTable(client, tableName);
  return {
    client,
    tableName,
    store: dynamoStore(client, tableName),
    drop: async () => {
      await client('DeleteTable', { TableName: tableName });
    },
  };
};

export type Table = Awaited<ReturnType<typeof freshTable>>;

/** For a describe block: `table()` makes a fresh table, and each is dropped after the test that made it. */
export const tablesPerTest = (): (() => Promise<Table>) => {
  const tables: Table[] = [];
  afterEach(async () => {
    for (const t of tables.splice(0)) await t.drop();
  });
  return async () => {
    const t = await freshTable();
    tables.push(t);
    return t;
  };
};

/** An error as DynamoDB answers it: a 400 naming what went wrong, or a 500 for its own failures. */
export const dynamoError = (name: string, message = name, details: Record<string, unknown> = {}, status = 400) =>
  new AwsError(name, message, { status, retryable: status >= 500, details });

/** A TransactWriteItems refused, with one cancellation reason per item, as DynamoDB words it. */
export const cancelledTransaction = (...codes: string[]) =>
  dynamoError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    { CancellationReasons: codes.map((Code) => ({ Code })) },
  );

/**
 * `db`, except that the n-th call of an action answers the error `fault` gives for it (what DynamoDB does
 * under load and DynamoDB Local never does); `calls` counts the calls of each action.
 */
export const withFaults = (
  db: DynamoDb,
  fault: (action: DynamoAction, input: Record<string, unknown>, nth: number) => Error | undefined,
) => {
  const calls = new Map<DynamoAction, number>();
  const faulty: DynamoDb = (action, input) => {
    const nth = (calls.get(action) ?? 0) + 1;
    calls.set(action, nth);
    const error = fault(action, input, nth);
    return error ? Promise.reject(error) : db(action, input);
  };
  return { db: faulty, calls };
};
