import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * Single-table design (docs/data-model.md). One definition, used by the local stack, the tests and the
 * CDK stack, so the key names cannot drift apart.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  listIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

export const itemKeys = {
  entity: (key: string) => ({ pk: `E#${key}`, sk: '#' }),
  node: (key: string) => ({ pk: `N#${key}`, sk: '#' }),
  aggregate: (key: string) => ({ pk: `A#${key}`, sk: '#' }),
  alert: (key: string) => ({ pk: `ALERT#${key}`, sk: '#' }),
};

/** Creates the table (on-demand) if it does not exist; for DynamoDB Local and tests. */
export const ensureTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey, listIndex, ttlAttribute } = tableSchema;
  await client.send(
    new CreateTableCommand({
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
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
    }),
  );
};
