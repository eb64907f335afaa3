import type { AggregateStore } from '@flash/core';
import { readAggregate, readNodeValues, readState } from './items.js';
import { aggregateKeyOf, itemKeys } from './schema.js';
import { type Table, toMap } from './table.js';

/** The read side on DynamoDB: aggregates by key (BatchGetItem), partitions and rollups (Query), lists (the index). */
export const dynamoAggregateStore = (table: Table): AggregateStore => ({
  async getAggregates(keys) {
    const items = await table.batchGet('getAggregates', keys.map(itemKeys.aggregate));
    return new Map(items.map((item) => [aggregateKeyOf(item), readAggregate(item)]));
  },

  listAggregatePartition(partition) {
    const items = table.queryPartition('listAggregatePartition', itemKeys.aggregatePartition(partition));
    return toMap(items, (item) => [String(item.sk), readAggregate(item)]);
  },

  async listAggregateRange(partition, from, to) {
    // DynamoDB refuses BETWEEN with bounds the wrong way round; such a span holds nothing.
    if (from > to) return new Map();
    const items = table.queryRange('listAggregateRange', itemKeys.aggregatePartition(partition), from, to);
    return toMap(items, (item) => [String(item.sk), readAggregate(item)]);
  },

  listRollups(prefix) {
    const items = table.queryPartition('listRollups', itemKeys.nodePartition(prefix));
    return toMap(items, (item) => [String(item.sk), readNodeValues(item)]);
  },

  async listEntities(list, limit, options) {
    return (await table.queryList('listEntities', list, limit, options)).map(readState);
  },
});
