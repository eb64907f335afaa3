import { metricContextFromEnv, rebuildAggregates } from '@flash/app';
import { type DynamoDb, dynamoDb } from '@flash/aws';
import { metricModel } from '@flash/core';
import { dynamoStore } from '@flash/store';
import { localClient, startDynamoDbLocal } from './dynamodb-local.js';
import { TABLE_NAME } from './stack.js';

const usage = `npm run rebuild [-- --verify]

Recomputes every aggregate from the stored entity states. --verify only reports drift (exit code 1 if any).
Where: DYNAMODB_ENDPOINT (a running stack prints it) and TABLE_NAME; or the table TABLE_NAME on AWS, with
AWS_REGION and keys in the environment (eval "$(aws configure export-credentials --format env)" puts a
profile's there); else the DynamoDB Local files in DATA_DIR (stop \`npm start\` first).`;

const main = async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return console.log(usage);
  const mode = args.includes('--verify') ? 'verify' : 'rebuild';
  const env = process.env;
  let stop = async () => {};
  let client: DynamoDb;
  if (env.DYNAMODB_ENDPOINT) client = localClient(env.DYNAMODB_ENDPOINT);
  else if (env.TABLE_NAME) client = dynamoDb();
  else if (env.DATA_DIR) {
    const dynamo = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
    client = dynamo.client;
    stop = dynamo.stop;
  } else {
    console.error(`Nothing to rebuild: set DATA_DIR, DYNAMODB_ENDPOINT or TABLE_NAME.\n\n${usage}`);
    process.exit(2);
  }
  try {
    const store = dynamoStore(client, env.TABLE_NAME ?? TABLE_NAME);
    const report = await rebuildAggregates({
      store,
      model: metricModel,
      ctx: metricContextFromEnv(env),
      now: () => new Date(),
      mode,
    });
    console.log(JSON.stringify(report, null, 2));
    if (mode === 'verify' && report.drift.length > 0) process.exitCode = 1;
  } finally {
    await stop();
  }
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
