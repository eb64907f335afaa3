import type { DynamoAction, DynamoDb } from '@flash/aws';
import { type CommitPlan, ConflictError, ThrottledError } from '@flash/core';
import { dynamoStore, StoreRejectedError, StoreUnavailableError } from '@flash/store';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelledTransaction, dynamoError } from '../../support/dynamo.js';

/** DynamoDB refusing one action with `failure`; every other action answers nothing found. */
let failing: { action: DynamoAction; failure: Error } | undefined;
const db: DynamoDb = async (action) => {
  if (failing?.action === action) throw failing.failure;
  return {};
};
const store = dynamoStore(db, 't');
const plan: CommitPlan = {
  entities: [],
  journal: { id: 'J1', deltas: new Map([['nps#2026-11', { responses: 1 }]]) },
};

describe('DynamoStore: what a failed commit means to the engine', () => {
  afterEach(() => {
    failing = undefined;
  });

  it.each([
    ['a failed condition', cancelledTransaction('None', 'ConditionalCheckFailed'), ConflictError],
    ['a concurrent transaction', cancelledTransaction('TransactionConflict'), ConflictError],
    ['throttled items', cancelledTransaction('None', 'ThrottlingError'), ThrottledError],
    ['items over provisioned capacity', cancelledTransaction('ProvisionedThroughputExceeded'), ThrottledError],
    ['ProvisionedThroughputExceeded', dynamoError('ProvisionedThroughputExceededException'), ThrottledError],
    ['ThrottlingException', dynamoError('ThrottlingException'), ThrottledError],
    ['RequestLimitExceeded', dynamoError('RequestLimitExceeded'), ThrottledError],
    ['TransactionInProgress', dynamoError('TransactionInProgressException'), ThrottledError],
    ['a validation error of an item', cancelledTransaction('ValidationError'), StoreRejectedError],
    ['ValidationException', dynamoError('ValidationException'), StoreRejectedError],
    ['anything else', dynamoError('InternalServerError', 'internal', {}, 500), StoreUnavailableError],
  ])('maps %s', async (_, error, expected) => {
    failing = { action: 'TransactWriteItems', failure: error };
    const thrown = await store.commit(plan).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(expected);
    expect((thrown as Error).cause).toBe(error);
  });

  it('reports throttled reads as throttling, so the engine backs off and plans again', async () => {
    failing = { action: 'BatchGetItem', failure: dynamoError('ThrottlingException') };
    await expect(store.loadEntities(['survey_response#typeform#R1'])).rejects.toThrow(ThrottledError);
  });
});
