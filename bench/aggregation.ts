import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler, rebuildAggregates } from '@flash/app';
import {
  type BusEvent,
  type CanonicalEvent,
  detailTypeOf,
  INGEST_SOURCE,
  type MetricContext,
  metricModel,
  type Values,
} from '@flash/core';
import { localClient } from '@flash/local';
import { dynamoStore, ensureTable, tableSchema } from '@flash/store';
import type { SQSRecord } from 'aws-lambda';
import { CapacityMeter, type CapacityTotals } from './capacity.js';
import { makeNaiveHandler } from './naive.js';

export interface AggregationRun {
  table: string;
  batchSize: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  writeUnitsPerEvent: number;
  readUnitsPerEvent: number;
  capacity: CapacityTotals;
}

/** An event as the bus carries it. */
export const busEventOf = (event: CanonicalEvent, n: number): BusEvent => ({
  version: '0',
  id: `bench-${n}`,
  'detail-type': detailTypeOf(event.entity),
  source: INGEST_SOURCE,
  account: '000000000000',
  time: event.occurredAt,
  region: 'local',
  resources: [],
  detail: event,
});

/** What EventBridge hands SQS, as the aggregator's queue receives it. */
const sqsRecord = (event: CanonicalEvent, n: number): SQSRecord => {
  const envelope = busEventOf(event, n);
  return {
    messageId: `m-${n}`,
    receiptHandle: `r-${n}`,
    body: JSON.stringify(envelope),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:aggregate',
    awsRegion: 'local',
  };
};

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/**
 * Feeds the workload to the real aggregate handler (or the naive design's, bench/naive.ts) in SQS batches of
 * `batchSize`, one invocation at a time (one Lambda), on a fresh table, and counts the capacity its requests use.
 */
export const runAggregation = async (opts: {
  endpoint: string;
  table: string;
  events: readonly CanonicalEvent[];
  batchSize: number;
  ctx: MetricContext;
  /** `naive`: the naive design (bench/naive.ts) instead of the pipeline's aggregate handler. */
  design?: 'pipeline' | 'naive';
}): Promise<AggregationRun> => {
  const meter = new CapacityMeter(tableSchema.listIndex.partitionKey);
  const client = localClient(opts.endpoint);
  await ensureTable(client, opts.table);
  const metered = meter.metered(client);
  const handler =
    opts.design === 'naive'
      ? makeNaiveHandler(metered, opts.table, opts.ctx)
      : makeAggregateHandler({
          store: dynamoStore(metered, opts.table),
          ctx: opts.ctx,
          now: () => new Date(),
          logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
        });
  // SQS serialises the messages, not the function: build the records before the clock starts.
  const records = opts.events.map(sqsRecord);
  const started = performance.now();
  for (let i = 0; i < records.length; i += opts.batchSize) {
    const response = await handler({ Records: records.slice(i, i + opts.batchSize) });
    if (response.batchItemFailures.length > 0)
      throw new Error(`${opts.table}: ${response.batchItemFailures.length} records failed in the batch at ${i}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const capacity = meter.take();
  return {
    table: opts.table,
    batchSize: opts.batchSize,
    events: records.length,
    seconds: round(seconds),
    eventsPerSecond: round(records.length / seconds, 1),
    writeUnitsPerEvent: round(capacity.writeUnits / records.length),
    readUnitsPerEvent: round(capacity.readUnits / records.length),
    capacity,
  };
};

export interface Consistency {
  /** Aggregates (and rollups) equal across tables. */
  identical: boolean;
  aggregates: number;
  rollups: number;
  /** Drift of each table against `rebuildAggregates(..., 'verify')`, by table. */
  drift: Record<string, number>;
  differences: string[];
}

const canonical = (entries: Iterable<[string, Values]>): string =>
  JSON.stringify(
    [...entries]
      .map(([key, values]) => [key, Object.entries(values).sort(([a], [b]) => a.localeCompare(b))] as const)
      .filter(([, fields]) => fields.some(([, v]) => v !== 0))
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** Compares what the runs wrote, table against table, and each against a recomputation from its entities. */
export const checkConsistency = async (
  endpoint: string,
  tables: string[],
  ctx: MetricContext,
): Promise<Consistency> => {
  const client = localClient(endpoint);
  const snapshots: { table: string; aggregates: string; rollups: string; size: [number, number] }[] = [];
  const drift: Record<string, number> = {};
  for (const table of tables) {
    const store = dynamoStore(client, table);
    const report = await rebuildAggregates({ store, model: metricModel, ctx, now: () => new Date(), mode: 'verify' });
    drift[table] = report.drift.length;
    const derived = await store.scanDerived();
    snapshots.push({
      table,
      aggregates: canonical([...derived.aggregates].map(([k, r]) => [k, r.values])),
      rollups: canonical(derived.nodes),
      size: [derived.aggregates.size, derived.nodes.size],
    });
  }
  const [first, ...rest] = snapshots;
  const differences = rest.flatMap((s) => [
    ...(s.aggregates === first?.aggregates ? [] : [`aggregates of ${s.table} differ from ${first?.table}`]),
    ...(s.rollups === first?.rollups ? [] : [`rollups of ${s.table} differ from ${first?.table}`]),
  ]);
  return {
    identical: differences.length === 0,
    aggregates: first?.size[0] ?? 0,
    rollups: first?.size[1] ?? 0,
    drift,
    differences,
  };
};
