import type { SnapshotStore } from '@flash/core';
import { aggregateFields, readAggregate, readOptionalString } from './items.js';
import { itemKeys } from './schema.js';
import type { Item, Table } from './table.js';

/**
 * Daily snapshots of the "now" figures on DynamoDB: one item per local day in one partition, outside the
 * aggregates (`SNAP#`), so that rebuild, which recomputes every `A#` item from entity states, never touches
 * them: a past day cannot be recomputed.
 */
export const dynamoSnapshotStore = (table: Table): SnapshotStore => ({
  async putSnapshot(day, values, takenAt) {
    await table.put('putSnapshot', { ...itemKeys.snapshot(day), takenAt, ...aggregateFields(values) });
  },

  async getSnapshots(days) {
    const items = await table.batchGet('getSnapshots', days.map(itemKeys.snapshot));
    return new Map(items.map((item: Item) => [String(item.sk), readSnapshot(item)]));
  },
});

const readSnapshot = (item: Item) => ({
  values: readAggregate(item).values,
  takenAt: readOptionalString(item, 'takenAt') ?? '',
});
