/**
 * `npm run bench`: the batched aggregator against the naive one-transaction-per-event design on DynamoDB Local,
 * the query API under polling load, and the Lambda bundles. Writes bench/results/latest.{json,md}.
 * `--full` runs the baseline over the whole workload and measures longer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGGREGATE_BATCH_SIZE } from '@flash/app';
import { startLocalStack, TABLE_NAME } from '@flash/local';
import { type AggregationRun, busEventOf, type Consistency, checkConsistency, runAggregation } from './aggregation.js';
import { type LoadResult, pollWithAutocannon } from './api-load.js';
import { measureBundles, ratioOf } from './bundles.js';
import { AWS_PRICES, costPerMillionEvents, type PathCounts } from './cost.js';
import { type FreshnessResult, measureFreshness } from './freshness.js';
import { type ImportRun, runImport } from './import.js';
import { type PacedResult, runPacedPollers } from './pollers.js';
import { type BenchResults, toMarkdown } from './report.js';
import { generateWorkload } from './workload.js';

const full = process.argv.includes('--full');
const settings = {
  events: full ? 50_000 : 20_000,
  seed: 20261123,
  // The aggregate function's SQS batch as deployed.
  batchSize: AGGREGATE_BATCH_SIZE,
  // One event at a time costs ~25 ms on DynamoDB Local: the default run gives the baseline a prefix of the workload.
  baselineEvents: full ? 50_000 : 1_500,
  pollSeconds: full ? 15 : 4,
  // Webhooks at a steady rate to the local stack, in a month the workload leaves alone.
  freshness: { ratePerSecond: 50, seconds: 30, period: '2030-01', watchIntervalMs: 10 },
  // Runs per bundle and for the AWS client floor (median): single imports vary by ±0.3x on a 2-core machine.
  importRuns: full ? 31 : 15,
  // npm run import of a 100,000-line file, into the figures of the bench's stack.
  historyImportEvents: 100_000,
  period: '2026-11',
};

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const log = (message: string) => console.log(`[bench] ${message}`);
const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;

const workload = generateWorkload({ events: settings.events, seed: settings.seed });
log(`workload: ${workload.events.length} events (${workload.duplicates} duplicates, ${workload.late} late)`);

const webhookSecret = 'bench-generic-secret';
const stack = await startLocalStack({
  port: 0,
  logLevel: 'SILENT',
  env: { ...process.env, WEBHOOK_SECRET_GENERIC: webhookSecret },
});
let batched: AggregationRun;
let baseline: AggregationRun;
let sample: AggregationRun | undefined;
let consistency: Consistency;
const api: LoadResult[] = [];
let paced: PacedResult;
let freshness: FreshnessResult;
let historyImport: ImportRun;
try {
  const { endpoint } = stack.dynamo;
  const run = (table: string, events: number, batchSize: number, design?: 'naive') =>
    runAggregation({ endpoint, table, events: workload.events.slice(0, events), batchSize, ctx: stack.ctx, design });

  // Warm DynamoDB Local's JVM and Node's JIT on another seed, so neither design pays for it.
  const warmup = generateWorkload({ events: 1_000, seed: 1 }).events;
  await runAggregation({
    endpoint,
    table: 'bench-warmup',
    events: warmup,
    batchSize: settings.batchSize,
    ctx: stack.ctx,
  });
  await runAggregation({
    endpoint,
    table: 'bench-warmup-naive',
    events: warmup,
    batchSize: 1,
    ctx: stack.ctx,
    design: 'naive',
  });

  // The batched run loads the stack's own table, which the API load then reads.
  batched = await run(TABLE_NAME, settings.events, settings.batchSize);
  log(`batched: ${batched.eventsPerSecond} events/s, ${batched.writeUnitsPerEvent} WCU/event`);
  // The naive design: one transaction per event with its state and every item it touches (bench/naive.ts).
  baseline = await run('bench-baseline', settings.baselineEvents, 1, 'naive');
  log(`baseline: ${baseline.eventsPerSecond} events/s, ${baseline.writeUnitsPerEvent} WCU/event`);
  const compared = [TABLE_NAME, 'bench-baseline'];
  if (settings.baselineEvents < settings.events) {
    // The same prefix, batched, so the baseline has a twin to be compared with event for event.
    sample = await run('bench-sample', settings.baselineEvents, settings.batchSize);
    compared.splice(0, 1, 'bench-sample');
  }
  consistency = await checkConsistency(endpoint, compared, stack.ctx);
  const whole = await checkConsistency(endpoint, [TABLE_NAME], stack.ctx);
  consistency.drift = { ...whole.drift, ...consistency.drift };
  log(
    `consistency: ${consistency.identical ? 'identical' : consistency.differences.join('; ')}, drift ${JSON.stringify(consistency.drift)}`,
  );

  const url = `${stack.url}/v1/metrics?period=${settings.period}`;
  const first = await fetch(url);
  if (first.status !== 200) throw new Error(`GET ${url} answered ${first.status}: ${await first.text()}`);
  const etag = first.headers.get('etag') ?? undefined;
  // Flat out measures throughput; paced (each poller once a second, keeping its ETag, like a dashboard that
  // polls five times faster than the default) measures the latency pollers see.
  for (const connections of [50, 200]) {
    for (const { conditional, rate } of [
      { conditional: false, rate: undefined },
      { conditional: true, rate: undefined },
      { conditional: true, rate: connections },
    ]) {
      const poll = { url, connections, etag: conditional ? etag : undefined, rate, signal: controller.signal };
      await pollWithAutocannon({ ...poll, seconds: 1 }); // warm-up, discarded
      const result = await pollWithAutocannon({ ...poll, seconds: settings.pollSeconds });
      api.push(result);
      log(
        `api c=${connections}${conditional ? ' If-None-Match' : ''}${rate ? ` at ${rate} req/s` : ' flat out'}: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.requestsPerSecond} req/s`,
      );
    }
  }
  // The target's load: 200 dashboards, each polling once a second with its ETag, at phases of their own.
  paced = await runPacedPollers({
    url,
    pollers: 200,
    intervalMs: 1000,
    seconds: settings.pollSeconds * 2,
    warmupSeconds: 2,
    signal: controller.signal,
  });
  log(`api 200 pollers once a second each, staggered: p50 ${paced.latencyMs.p50} ms, p99 ${paced.latencyMs.p99} ms`);

  freshness = await measureFreshness({
    baseUrl: stack.url,
    secret: webhookSecret,
    ...settings.freshness,
    signal: controller.signal,
  });
  log(
    `freshness at ${freshness.ratePerSecond} webhooks/s: p50 ${freshness.latencyMs.p50} ms, p99 ${freshness.latencyMs.p99} ms from the 202 to the API`,
  );

  historyImport = await runImport({
    stack,
    events: settings.historyImportEvents,
    seed: settings.seed,
    token: process.env.API_TOKEN,
  });
  log(
    `import: ${historyImport.events} events into the figures in ${historyImport.seconds} s, ${historyImport.eventsPerSecond} events/s (${ratio(historyImport.eventsPerSecond, batched.eventsPerSecond)}x the aggregator's)`,
  );
} finally {
  await stack.stop();
}

const { bareNodeMs, clientFloorMs, node: importNode, bundles } = await measureBundles(settings.importRuns);
const clientFloorRatio = ratioOf(clientFloorMs, bareNodeMs);
log(`cold imports timed with node ${importNode}, the Lambda runtime's major when this machine has it`);
log(`AWS clients alone: ${clientFloorMs} ms, ${clientFloorRatio}x node -e 0 = ${bareNodeMs} ms`);
for (const b of bundles)
  log(
    `bundle ${b.name}: ${(b.bytes / 1024).toFixed(1)} KB, cold import ${b.coldImportMs} ms (${b.coldImportRatio}x node -e 0)`,
  );

// Per event on AWS: the measured counts, and the deployment's settings (packages/cdk).
const eventBytes = Math.round(
  workload.events.reduce((sum, e, i) => sum + Buffer.byteLength(JSON.stringify(busEventOf(e, i))), 0) /
    workload.events.length,
);
const shared = {
  eventsPerDelivery: 1,
  ingestMs: freshness.ingestMsP50,
  ingestMemoryMb: 256,
  eventBytes,
  archiveMonths: 12,
  aggregateMemoryMb: 512,
};
const pathOf = (run: AggregationRun): PathCounts => ({
  ...shared,
  batchSize: run.batchSize,
  aggregateMsPerEvent: (run.seconds * 1000) / run.events,
  writeUnitsPerEvent: run.writeUnitsPerEvent,
  readUnitsPerEvent: run.readUnitsPerEvent,
});
const cost = {
  prices: AWS_PRICES,
  design: { counts: pathOf(batched), ...costPerMillionEvents(pathOf(batched)) },
  baseline: { counts: pathOf(baseline), ...costPerMillionEvents(pathOf(baseline)) },
};
log(`cost per million events on AWS: $${cost.design.total} against $${cost.baseline.total} for the baseline`);

const sameSample = sample ?? batched;
const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, full },
  events: workload.events.length,
  duplicates: workload.duplicates,
  late: workload.late,
  byEntity: workload.byEntity,
  seed: settings.seed,
  batchSize: settings.batchSize,
  eventsPerSecond: batched.eventsPerSecond,
  baselineEvents: baseline.events,
  baselineEventsPerSecond: baseline.eventsPerSecond,
  writeUnitsPerEvent: batched.writeUnitsPerEvent,
  baselineWriteUnitsPerEvent: baseline.writeUnitsPerEvent,
  readUnitsPerEvent: batched.readUnitsPerEvent,
  baselineReadUnitsPerEvent: baseline.readUnitsPerEvent,
  ratios: {
    eventsPerSecond: ratio(batched.eventsPerSecond, baseline.eventsPerSecond),
    writeUnits: ratio(baseline.writeUnitsPerEvent, batched.writeUnitsPerEvent),
    // On exactly the baseline's events (the prefix in a default run).
    sameEvents: {
      events: sameSample.events,
      eventsPerSecond: ratio(sameSample.eventsPerSecond, baseline.eventsPerSecond),
      writeUnits: ratio(baseline.writeUnitsPerEvent, sameSample.writeUnitsPerEvent),
    },
  },
  runs: { batched, baseline, ...(sample ? { batchedSample: sample } : {}) },
  consistency,
  costPerMillionEventsUsd: cost.design.total,
  baselineCostPerMillionEventsUsd: cost.baseline.total,
  cost,
  apiP99MsPaced200: paced.latencyMs.p99,
  freshnessP50Ms: freshness.latencyMs.p50,
  freshnessP99Ms: freshness.latencyMs.p99,
  freshness,
  api: { path: `/v1/metrics?period=${settings.period}`, seconds: settings.pollSeconds, results: api, paced },
  bundles: { bareNodeMs, clientFloorMs, clientFloorRatio, node: importNode, functions: bundles },
  importEventsPerSecond: historyImport.eventsPerSecond,
  import: {
    ...historyImport,
    liveEventsPerSecond: batched.eventsPerSecond,
    ratioToLive: ratio(historyImport.eventsPerSecond, batched.eventsPerSecond),
  },
};

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, 'latest.md'), toMarkdown(results));
log(
  `events/s ${results.ratios.eventsPerSecond}x the baseline, ${results.ratios.writeUnits}x fewer write units per event`,
);
log(
  `same events: ${results.ratios.sameEvents.eventsPerSecond}x events/s, ${results.ratios.sameEvents.writeUnits}x fewer write units`,
);
if (!consistency.identical || Object.values(consistency.drift).some((n) => n > 0)) {
  log('FAILED: the runs disagree or drifted from a rebuild');
  process.exitCode = 1;
}
