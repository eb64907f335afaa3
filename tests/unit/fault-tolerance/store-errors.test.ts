import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  TransactionCanceledException,
  TransactionInProgressException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type CommitPlan, ConflictError, ThrottledError } from '@flash/core';
import { dynamoStore, StoreRejectedError, StoreUnavailableError } from '@flash/store';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';

const dynamo = mockClient(DynamoDBDocumentClient);
const store = dynamoStore(new DynamoDBClient({ region: 'local' }), 't');
const plan: CommitPlan = {
  entities: [],
  journal: { id: 'J1', deltas: new Map([['nps#2026-11', { responses: 1 }]]) },
};
const meta = { $metadata: {} };
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    ...meta,
    message: 'cancelled',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const named = (name: string) => Object.assign(new Error(name), { name });

describe('DynamoStore: what a failed commit means to the engine', () => {
  afterEach(() => dynamo.reset());

  it.each([
    ['a failed condition', cancelled('None', 'ConditionalCheckFailed'), ConflictError],
    ['a concurrent transaction', cancelled('TransactionConflict'), ConflictError],
    ['throttled items', cancelled('None', 'ThrottlingError'), ThrottledError],
    ['items over provisioned capacity', cancelled('ProvisionedThroughputExceeded'), ThrottledError],
    [
      'ProvisionedThroughputExceeded',
      new ProvisionedThroughputExceededException({ ...meta, message: 'x' }),
      ThrottledError,
    ],
    ['ThrottlingException', named('ThrottlingException'), ThrottledError],
    ['RequestLimitExceeded', new RequestLimitExceeded({ ...meta, message: 'x' }), ThrottledError],
    ['TransactionInProgress', new TransactionInProgressException({ ...meta, message: 'x' }), ThrottledError],
    ['a validation error of an item', cancelled('ValidationError'), StoreRejectedError],
    ['ValidationException', named('ValidationException'), StoreRejectedError],
    ['anything else', named('InternalServerError'), StoreUnavailableError],
  ])('maps %s', async (_, error, expected) => {
    dynamo.on(TransactWriteCommand).rejects(error);
    const thrown = await store.commit(plan).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(expected);
    expect((thrown as Error).cause).toBe(error);
  });

  it('reports throttled reads as throttling, so the engine backs off and plans again', async () => {
    dynamo.on(BatchGetCommand).rejects(named('ThrottlingException'));
    await expect(store.loadEntities(['survey_response#typeform#R1'])).rejects.toThrow(ThrottledError);
  });
});
