import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
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
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
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
