import type { RebuildStore } from '@flash/core';
import { aggregateFields, readAggregate, readNodeValues, readState } from './items.js';
import { aggregateKeyOf, itemKeys, keyPrefixes, nodeKeyOf } from './schema.js';
import { type Table, toMap, updateExpression } from './table.js';

/** What rebuild reads and writes on DynamoDB: whole-table scans, and rollups and aggregates overwritten. */
export const dynamoRebuildStore = (table: Table): RebuildStore => ({
  async *scanEntities() {
    for await (const item of table.scanPrefix('scanEntities', keyPrefixes.entity)) yield readState(item);
  },

  async scanDerived() {
    const nodes = await toMap(table.scanPrefix('scanDerived', keyPrefixes.node), (item) => [
      nodeKeyOf(item),
      readNodeValues(item),
    ]);
    const aggregates = await toMap(table.scanPrefix('scanDerived', keyPrefixes.aggregate), (item) => [
      aggregateKeyOf(item),
      readAggregate(item),
    ]);
    return { nodes, aggregates };
  },

  async replaceNode(key, values) {
    await table.update('replaceNode', itemKeys.node(key), updateExpression({ vals: values }));
  },

  async replaceAggregate(key, values, previous, at) {
    const fields = Object.fromEntries(Object.keys({ ...previous, ...values }).map((f) => [f, values[f] ?? 0]));
    await table.update(
      'replaceAggregate',
      itemKeys.aggregate(key),
      updateExpression({ changedAt: at, ...aggregateFields(fields) }),
    );
  },
});
