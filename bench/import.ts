/**
 * Import throughput: `npm run import`'s path end to end. A generated NDJSON file of generic events goes
 * through importFile (the whole file checked first, as the command does by default), httpSink and
 * `POST /v1/events` onto the local stack's bus, queue and aggregator, and the clock stops when the stack has
 * applied every event to the figures. Called from main.ts against the bench's stack; alone,
 * `tsx bench/import.ts [--events N]` starts its own stack and measures the aggregator alone on as many
 * workload events, the base main.ts compares with.
 */

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { httpSink, importFile } from '@flash/history';
import { type LocalStack, startLocalStack } from '@flash/local';
import { runAggregation } from './aggregation.js';
import { generateWorkload, seededRandom } from './workload.js';

export interface ImportRun {
  events: number;
  fileBytes: number;
  /** From the start of the import until the stack has applied every event. */
  seconds: number;
  /** Events into the figures per second: the headline. */
  eventsPerSecond: number;
  /** Until the pipeline had accepted every request (202), check pass included; aggregation may still run. */
  acceptedSeconds: number;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/**
 * A year of a company's history as one generic event a line, as an ERP export holds it (each entity's
 * latest state): customers, projects, invoices (one in ten void), costs, deals and survey answers, in about
 * the proportions of the bench workload. Ids start with `imp-` so they never meet the workload's.
 */
export const writeImportFile = async (path: string, events: number, seed: number): Promise<number> => {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
  const two = (n: number) => String(n).padStart(2, '0');
  const day = () => `2025-${two(1 + Math.floor(random() * 12))}-${two(1 + Math.floor(random() * 28))}`;
  const customers = Array.from({ length: Math.max(5, Math.ceil(events / 40)) }, (_, i) => `imp-C${i}`);
  const projects = Array.from({ length: Math.max(5, Math.ceil(events / 25)) }, (_, i) => `imp-P${i}`);
  const eventAt = (n: number): Record<string, unknown> => {
    const id = `imp-${n}`;
    if (n < customers.length)
      return {
        type: 'customer',
        id: customers[n],
        version: 1,
        internal: n % 20 === 0,
        segment: pick(['Gold', 'Silver']),
      };
    if (n < customers.length + projects.length)
      return {
        type: 'project',
        id: projects[n - customers.length],
        version: 1,
        customerId: pick(customers),
        status: pick(['open', 'closed']),
      };
    const r = random();
    if (r < 0.35)
      return {
        type: 'invoice',
        id,
        version: 1 + Math.floor(random() * 3),
        customerId: pick(customers),
        projectId: pick(projects),
        number: `INV-${n}`,
        status: random() < 0.9 ? 'sent' : 'void',
        invoiceDate: day(),
        total: Math.round(random() * 500_000) / 100,
      };
    if (r < 0.5)
      return {
        type: 'cost',
        id,
        version: 1,
        projectId: pick(projects),
        date: day(),
        amount: Math.round(random() * 200_000) / 100,
      };
    if (r < 0.8) {
      const status = pick(['open', 'won', 'lost']);
      const createdAt = `${day()}T09:00:00Z`;
      const closedAt = status === 'open' ? null : `2025-12-${two(1 + Math.floor(random() * 28))}T09:00:00Z`;
      return {
        type: 'deal',
        id,
        version: 1,
        customerId: pick(customers),
        ownerId: pick(['U1', 'U2', 'U3']),
        status,
        amount: Math.round(random() * 50_000),
        createdAt,
        closedAt,
      };
    }
    return {
      type: 'survey_response',
      id,
      version: 1,
      customerId: pick(customers),
      score: Math.floor(random() * 11),
      submittedAt: `${day()}T08:00:00Z`,
      comment: random() < 0.3 ? 'Good service, slow invoices' : null,
    };
  };
  const file = createWriteStream(path);
  let bytes = 0;
  for (let n = 0; n < events; n++) {
    const line = `${JSON.stringify(eventAt(n))}\n`;
    bytes += Buffer.byteLength(line);
    if (!file.write(line)) await once(file, 'drain');
  }
  file.end();
  await once(file, 'close');
  return bytes;
};

/** Imports `events` generated events into the running stack and waits until the figures hold them. */
export const runImport = async (opts: {
  stack: LocalStack;
  events: number;
  seed: number;
  token?: string;
}): Promise<ImportRun> => {
  const dir = mkdtempSync(join(tmpdir(), 'flash-bench-import-'));
  try {
    const file = join(dir, 'history.ndjson');
    const fileBytes = await writeImportFile(file, opts.events, opts.seed);
    const started = performance.now();
    const summary = await importFile({
      file,
      sink: httpSink({ target: opts.stack.url, token: opts.token }),
      baseCurrency: opts.stack.ctx.baseCurrency,
    });
    const accepted = performance.now();
    await opts.stack.settled();
    const seconds = (performance.now() - started) / 1000;
    return {
      events: summary.imported,
      fileBytes,
      seconds: round(seconds),
      eventsPerSecond: round(summary.imported / seconds, 1),
      acceptedSeconds: round((accepted - started) / 1000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' } } });
  const events = Number(values.events);
  const stack = await startLocalStack({ port: 0, logLevel: 'SILENT' });
  try {
    const live = await runAggregation({
      endpoint: stack.dynamo.endpoint,
      table: 'bench-import-live',
      events: generateWorkload({ events, seed: 20261123 }).events,
      batchSize: 100,
      ctx: stack.ctx,
    });
    const run = await runImport({ stack, events, seed: 20261123 });
    console.log(
      JSON.stringify(
        {
          import: run,
          liveEventsPerSecond: live.eventsPerSecond,
          ratio: round(run.eventsPerSecond / live.eventsPerSecond, 2),
        },
        null,
        2,
      ),
    );
  } finally {
    await stack.stop();
  }
}
