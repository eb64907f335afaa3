import type { DynamoDb } from '@flash/aws';
import {
  applyEvent,
  Deltas,
  type EntityState,
  entityKey,
  type MetricContext,
  metricModel,
  parseCanonicalEvent,
  propagate,
} from '@flash/core';
import { aggregateFields, dynamoStore, entityPut, itemKeys, Table, updateExpression } from '@flash/store';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * The naive design the benchmark measures the pipeline against (issue 19): every event on its own, one
 * transaction holding its entity state and every rollup node and aggregate it touches, nothing coalesced and
 * nothing journaled. It writes the same items in the same shapes as the pipeline, so the two tables can be
 * compared item for item. Bench only: no retries, no alerts, no dead letters.
 */
export const makeNaiveHandler = (db: DynamoDb, tableName: string, ctx: MetricContext) => {
  const table = new Table(db, tableName);
  const store = dynamoStore(db, tableName);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    for (const record of event.Records) {
      const canonical = parseCanonicalEvent((JSON.parse(record.body) as { detail: unknown }).detail);
      const key = entityKey(canonical);
      const before = (await store.loadEntities([key])).get(key);
      const state: EntityState | undefined = applyEvent(before?.value, canonical);
      if (!state) continue;
      const deltas = new Deltas();
      deltas.addDifference(
        before ? metricModel.contributions(before.value, ctx) : [],
        metricModel.contributions(state, ctx),
      );
      const { nodes, aggregates } = await propagate(deltas, (keys) => store.loadNodes(keys), metricModel, ctx);
      await table.transactWrite('naive', [
        entityPut(table, {
          key,
          state,
          listing: metricModel.listing(state, ctx),
          expectedRev: before?.rev ?? null,
        }),
        ...nodes.map((n) => ({
          Put: table.putInput({ ...itemKeys.node(n.key), vals: n.values }),
        })),
        ...aggregates.map((a) => ({
          Update: table.updateInput(
            itemKeys.aggregate(a.key),
            updateExpression({ changedAt: new Date().toISOString() }, aggregateFields(a.delta)),
          ),
        })),
      ]);
    }
    return { batchItemFailures: [] };
  };
};
