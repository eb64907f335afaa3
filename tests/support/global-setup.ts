import type { TestProject } from 'vitest/node';
import { buildLambdas } from '../../packages/cdk/build/lambdas.js';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * One DynamoDB Local for the integration tests of this run, on a free port; each test file makes its own table.
 * The Lambda bundles of packages/cdk, which every synthesis reads, built once here (skipped when up to date).
 */
export default async function setup(project: TestProject) {
  const [dynamo] = await Promise.all([startDynamoDbLocal(), buildLambdas()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
