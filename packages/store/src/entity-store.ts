import type { EntityStore, Stored } from '@flash/core';
import { aggregateFields, readNodeValues, readRevision, readState } from './items.js';
import { entityKeyOf, itemKeys, nodeKeyOf } from './schema.js';
import {
  atRevision,
  type Item,
  type ItemKey,
  listingAttributes,
  REVISION,
  type Table,
  updateExpression,
} from './table.js';

/**
 * The engine's store on DynamoDB: entity states and rollup nodes with a revision for optimistic locking,
 * aggregates as atomic counters, a plan committed in one transaction.
 */
export const dynamoEntityStore = (table: Table): EntityStore => {
  /** Items by key, with their revisions, by the key they were stored under. */
  const load = async <T>(
    operation: string,
    keys: ItemKey[],
    keyOf: (item: Item) => string,
    read: (item: Item) => T,
  ) => {
    const items = await table.batchGet(operation, keys);
    return new Map(
      items.map((item): [string, Stored<T>] => [keyOf(item), { value: read(item), rev: readRevision(item) }]),
    );
  };
  /** A Put of a new revision, conditioned on the revision read. */
  const revisionPut = (item: Item, expectedRev: number | null) => ({
    Put: table.putInput({ ...item, [REVISION]: (expectedRev ?? 0) + 1 }, atRevision(expectedRev)),
  });
  return {
    loadEntities: (keys) => load('loadEntities', keys.map(itemKeys.entity), entityKeyOf, readState),
    loadNodes: (keys) => load('loadNodes', keys.map(itemKeys.node), nodeKeyOf, readNodeValues),
    async commit(plan) {
      await table.transactWrite('commit', [
        ...plan.entities.map((e) =>
          revisionPut({ ...itemKeys.entity(e.key), state: e.state, ...listingAttributes(e.listing) }, e.expectedRev),
        ),
        ...plan.nodes.map((n) => revisionPut({ ...itemKeys.node(n.key), vals: n.values }, n.expectedRev)),
        ...plan.aggregates.map((a) => ({
          Update: table.updateInput(
            itemKeys.aggregate(a.key),
            updateExpression({ changedAt: plan.at }, aggregateFields(a.delta)),
          ),
        })),
      ]);
    },
  };
};
