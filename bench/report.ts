import type { AggregationRun, Consistency } from './aggregation.js';
import type { LoadResult } from './api-load.js';
import type { BundleResult } from './bundles.js';
import type { AWS_PRICES, CostBreakdown, PathCounts } from './cost.js';
import type { FreshnessResult } from './freshness.js';
import type { ImportRun } from './import.js';
import type { PacedResult } from './pollers.js';

export interface BenchResults {
  generatedAt: string;
  machine: { node: string; cpus: number; full: boolean };
  events: number;
  duplicates: number;
  late: number;
  byEntity: Record<string, number>;
  seed: number;
  batchSize: number;
  eventsPerSecond: number;
  baselineEvents: number;
  baselineEventsPerSecond: number;
  writeUnitsPerEvent: number;
  baselineWriteUnitsPerEvent: number;
  readUnitsPerEvent: number;
  baselineReadUnitsPerEvent: number;
  ratios: {
    eventsPerSecond: number;
    writeUnits: number;
    sameEvents: { events: number; eventsPerSecond: number; writeUnits: number };
  };
  runs: { batched: AggregationRun; baseline: AggregationRun; batchedSample?: AggregationRun };
  consistency: Consistency;
  /** p99 of 200 pollers, each once a second with its ETag, at staggered phases (target < 20 ms). */
  /** USD per million events on AWS, the whole path, this design and the naive one (bench/cost.ts). */
  costPerMillionEventsUsd: number;
  baselineCostPerMillionEventsUsd: number;
  cost: {
    prices: typeof AWS_PRICES;
    design: CostBreakdown & { counts: PathCounts };
    baseline: CostBreakdown & { counts: PathCounts };
  };
  apiP99MsPaced200: number;
  /** From a webhook's 202 to the API answering with it counted, at 50 webhooks/s on the local stack. */
  freshnessP50Ms: number;
  freshnessP99Ms: number;
  freshness: FreshnessResult;
  api: { path: string; seconds: number; results: LoadResult[]; paced: PacedResult };
  /** `node` is the version the cold imports were timed with. */
  bundles: {
    bareNodeMs: number;
    clientFloorMs: number;
    clientFloorRatio: number;
    node: string;
    functions: BundleResult[];
  };
  /** `npm run import` into the figures, events per second. */
  importEventsPerSecond: number;
  /** The same import beside the batched aggregator of this run (`eventsPerSecond`), the ratio's base. */
  import: ImportRun & { liveEventsPerSecond: number; ratioToLive: number };
}

const table = (head: string[], rows: (string | number)[][]): string =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const requests = (run: AggregationRun): string =>
  Object.entries(run.capacity.requests)
    .map(([command, { count, ms }]) => `${command} ${count} (${Math.round(ms / 1000)} s)`)
    .join(', ');

/** The same figures as latest.json, as Markdown tables. */
export const toMarkdown = (r: BenchResults): string => {
  const runs = [
    ['batched', r.runs.batched],
    ...(r.runs.batchedSample ? [['batched, baseline events', r.runs.batchedSample] as const] : []),
    ['baseline: the naive design, one transaction per event', r.runs.baseline],
  ] as const;
  return `# Benchmark results

${r.generatedAt}, Node ${r.machine.node}, ${r.machine.cpus} CPUs${r.machine.full ? ', --full' : ''}. Workload: ${r.events} events
(seed ${r.seed}; ${r.duplicates} duplicates, ${r.late} late; ${Object.entries(r.byEntity)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}), batch size ${r.batchSize}, DynamoDB Local.

## Aggregator

${table(
  ['run', 'events', 'events/s', 'write units/event', 'read units/event', 'items written', 'requests (time waiting)'],
  runs.map(([label, run]) => [
    label,
    run.events,
    run.eventsPerSecond,
    run.writeUnitsPerEvent,
    run.readUnitsPerEvent,
    run.capacity.itemsWritten,
    requests(run),
  ]),
)}

Batched over baseline: **${r.ratios.eventsPerSecond}x events/s**, **${r.ratios.writeUnits}x fewer write units per event**
(on the same ${r.ratios.sameEvents.events} events: ${r.ratios.sameEvents.eventsPerSecond}x and ${r.ratios.sameEvents.writeUnits}x).
Consistency: ${r.consistency.identical ? 'identical aggregates and rollups' : r.consistency.differences.join('; ')}
(${r.consistency.aggregates} aggregates, ${r.consistency.rollups} rollups); drift against a rebuild: ${Object.entries(
    r.consistency.drift,
  )
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}.

## Query API: GET ${r.api.path}, ${r.api.seconds} s per row

${table(
  ['pollers', 'pace', 'If-None-Match', 'requests/s', 'p50 ms', 'p99 ms', 'max ms', 'statuses', 'errors'],
  r.api.results.map((a) => [
    a.connections,
    a.pacedRate ? `1/s each (${a.pacedRate}/s)` : 'flat out',
    a.conditional ? 'yes (304)' : 'no (200)',
    a.requestsPerSecond,
    a.latencyMs.p50,
    a.latencyMs.p99,
    a.latencyMs.max,
    Object.entries(a.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', '),
    a.errors,
  ]),
)}

Dashboards at their own pace (bench/pollers.ts): ${r.api.paced.pollers} pollers, each once every ${r.api.paced.intervalMs} ms
with its ETag, at phases spread over the interval, ${r.api.paced.seconds} s: ${r.api.paced.requests} requests, p50
${r.api.paced.latencyMs.p50} ms, **p99 ${r.api.paced.latencyMs.p99} ms** (max ${r.api.paced.latencyMs.max} ms), ${Object.entries(
    r.api.paced.statuses,
  )
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ')}, ${r.api.paced.errors} errors.

## Cost per million events on AWS (${r.cost.prices.region}, prices of ${r.cost.prices.readOn})

${table(
  ['line', 'this design, USD', 'baseline, USD'],
  [
    ...Object.keys(r.cost.design.lines).map((line) => [
      line,
      r.cost.design.lines[line] ?? 0,
      r.cost.baseline.lines[line] ?? 0,
    ]),
    ['**total**', `**${r.costPerMillionEventsUsd}**`, `**${r.baselineCostPerMillionEventsUsd}**`],
  ],
)}

## Freshness: from a webhook's 202 to the figure in the API

${r.freshness.sent} signed generic deliveries at ${r.freshness.ratePerSecond}/s for ${r.freshness.seconds} s (${r.freshness.accepted} accepted), the API
asked every ${r.freshness.watchIntervalMs} ms: **p50 ${r.freshnessP50Ms} ms, p99 ${r.freshnessP99Ms} ms** (max ${r.freshness.latencyMs.max} ms).

## History import: npm run import of ${r.import.events} events

${table(
  ['run', 'events', 'seconds', 'events/s into the figures', 'x the batched aggregator'],
  [
    [
      'import (file checked, POST /v1/events, bus, queue, aggregator)',
      r.import.events,
      r.import.seconds,
      r.import.eventsPerSecond,
      r.import.ratioToLive,
    ],
    [
      'batched aggregator alone (above)',
      r.runs.batched.events,
      r.runs.batched.seconds,
      r.import.liveEventsPerSecond,
      1,
    ],
  ],
)}

The pipeline accepted every request after ${r.import.acceptedSeconds} s (the check pass included); the rest is aggregation.

## Lambda bundles (bare \`node -e 0\`: ${r.bundles.bareNodeMs} ms, node ${r.bundles.node})

A bundle that constructs the AWS clients and nothing else (\`@flash/aws\`), timed in the same runs: ${r.bundles.clientFloorMs} ms, ${r.bundles.clientFloorRatio}x.

${table(
  ['function', 'minified KB', 'cold import ms', 'x node -e 0', 'largest inputs'],
  r.bundles.functions.map((b) => [
    b.name,
    (b.bytes / 1024).toFixed(1),
    b.coldImportMs,
    b.coldImportRatio,
    b.largest.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KB`).join(', '),
  ]),
)}
`;
};
