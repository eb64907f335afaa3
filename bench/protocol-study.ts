/**
 * `npx tsx bench/protocol-study.ts [events]`: where the write units of the commit go, and what other commit
 * protocols would write on the same workload (docs/benchmark.md, "Commit protocols"). The real aggregate
 * handler runs on DynamoDB Local at batch sizes 100 and 1,000; every item of every transaction is sized as a
 * single, non-transactional write and classified by its key (entity state, rollup node, aggregate) plus the
 * index write an entity listing adds. The protocols are then priced from those measured units: what changes
 * between them is only which items are written transactionally (2 units per KB) or alone (1), and how many
 * events their rollups and aggregates coalesce over. A measurement of the workload, not of a prototype.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '@flash/local';
import { tableSchema } from '@flash/store';
import { runAggregation } from './aggregation.js';
import { writeCost } from './capacity.js';
import { generateWorkload } from './workload.js';

type ItemClass = 'entity' | 'node' | 'aggregate' | 'index';
type Request = { Item?: Record<string, unknown>; Key?: Record<string, unknown> };

/** Units of the items the transactions carry, each as if written alone, by class. */
class ItemMeter {
  units: Record<ItemClass, number> = { entity: 0, node: 0, aggregate: 0, index: 0 };
  transactions = 0;

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          this.transactions++;
          const items = ((args.input as { TransactItems?: Record<string, Request>[] }).TransactItems ?? []).flatMap(
            (entry) => Object.entries(entry),
          );
          for (const [kind, request] of items) {
            const command = kind === 'Put' ? 'PutItemCommand' : 'UpdateItemCommand';
            const alone = writeCost(command, request as Record<string, unknown>).units;
            const withIndex = writeCost(
              command,
              request as Record<string, unknown>,
              tableSchema.listIndex.partitionKey,
            );
            const pk = String((request.Item ?? request.Key)?.pk ?? '');
            const itemClass: ItemClass = pk.startsWith('E#') ? 'entity' : pk.startsWith('N#') ? 'node' : 'aggregate';
            this.units[itemClass] += alone;
            this.units.index += withIndex.units - alone;
          }
        }
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'protocolStudyMeter' },
    );
  }
}

const events = Number(process.argv[2] ?? 20_000);
const workload = generateWorkload({ events, seed: 20261123 });
const dynamo = await startDynamoDbLocal();
const round = (n: number) => Math.round(n * 100) / 100;
try {
  const ctx = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
  const measured: Record<number, { perEvent: Record<ItemClass, number>; transactionsPerEvent: number; wcu: number }> =
    {};
  for (const batchSize of [100, 1000]) {
    const meter = new ItemMeter();
    const run = await runAggregation({
      endpoint: dynamo.endpoint,
      table: `study-${batchSize}`,
      events: workload.events,
      batchSize,
      ctx,
      meters: [meter],
    });
    measured[batchSize] = {
      perEvent: Object.fromEntries(Object.entries(meter.units).map(([k, v]) => [k, round(v / events)])) as Record<
        ItemClass,
        number
      >,
      transactionsPerEvent: meter.transactions / events,
      wcu: run.writeUnitsPerEvent,
    };
  }
  const at = (b: number) => {
    const m = measured[b];
    if (!m) throw new Error(`no run at ${b}`);
    return m;
  };
  const b100 = at(100).perEvent;
  const b1000 = at(1000).perEvent;
  const protocols = {
    'today: one transaction per piece, batches of 100 (measured)': at(100).wcu,
    'today, batches of 1,000 (measured)': at(1000).wcu,
    'entity states as single conditional puts; rollups and aggregates from the stream, 100 records per transaction with a checkpoint':
      b100.entity + b100.index + 2 * (b100.node + b100.aggregate) + 2 * at(100).transactionsPerEvent,
    'the same, stream batches of 1,000':
      b100.entity + b100.index + 2 * (b1000.node + b1000.aggregate) + 2 * at(1000).transactionsPerEvent,
    'no transactions, batches of 100 (not exact without a per-item applied mark)':
      b100.entity + b100.index + b100.node + b100.aggregate,
    'floor: each entity state written once, nothing else': b100.entity + b100.index,
  };
  console.log(
    JSON.stringify(
      { events, measured, protocols: Object.fromEntries(Object.entries(protocols).map(([k, v]) => [k, round(v)])) },
      null,
      2,
    ),
  );
} finally {
  await dynamo.stop();
}
