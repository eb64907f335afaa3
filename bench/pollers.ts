/**
 * Dashboards polling at their own pace: `connections` pollers, each on its own keep-alive connection, each
 * asking once per `intervalMs` with the ETag of its last answer, at a phase of its own (dashboards are opened
 * at different moments, so their polls are spread over the interval, not sent together as autocannon's `-R`
 * sends them). Run as a child process by the bench (`runPacedPollers`), so the load generator does not share an
 * event loop with the server it measures; prints its result as JSON on stdout.
 */
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './child.js';

export interface PacedResult {
  pollers: number;
  intervalMs: number;
  seconds: number;
  requests: number;
  latencyMs: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  errors: number;
}

interface PollOptions {
  url: string;
  pollers: number;
  seconds: number;
  intervalMs: number;
  /** Seconds polled before measuring (connections opened, the server's JIT warm), discarded. */
  warmupSeconds: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);

const round1 = (n: number) => Math.round(n * 10) / 10;

const get = (url: string, agent: Agent, etag: string | undefined): Promise<{ status: number; etag?: string }> =>
  new Promise((resolveGet, reject) => {
    const req = request(url, { agent, headers: etag ? { 'if-none-match': etag } : {} }, (res) => {
      res.resume();
      res.once('end', () => resolveGet({ status: res.statusCode ?? 0, etag: res.headers.etag ?? etag }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });

const poll = async (opts: PollOptions): Promise<PacedResult> => {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const measureFrom = started + opts.warmupSeconds * 1000;
  const end = measureFrom + opts.seconds * 1000;
  const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

  const poller = async (phase: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let etag: string | undefined;
    try {
      for (let due = started + phase; due < end; due += opts.intervalMs) {
        await sleepUntil(due);
        const sent = performance.now();
        try {
          const answer = await get(opts.url, agent, etag);
          etag = answer.etag;
          if (sent < measureFrom) continue;
          latencies.push(performance.now() - sent);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        } catch {
          if (sent >= measureFrom) errors++;
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: opts.pollers }, (_, i) => poller((i * opts.intervalMs) / opts.pollers)));
  latencies.sort((a, b) => a - b);
  return {
    pollers: opts.pollers,
    intervalMs: opts.intervalMs,
    seconds: opts.seconds,
    requests: latencies.length,
    latencyMs: {
      p50: round1(percentile(latencies, 0.5)),
      p99: round1(percentile(latencies, 0.99)),
      max: round1(latencies.at(-1) ?? Number.NaN),
    },
    statuses,
    errors,
  };
};

/** Runs the pollers in a child Node process (with tsx's loader) and answers their result. */
export const runPacedPollers = ({ signal, ...options }: PollOptions & { signal?: AbortSignal }): Promise<PacedResult> =>
  runJsonChild<PacedResult>(
    'pollers',
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--poll', JSON.stringify(options)],
    signal,
  );

const flag = process.argv.indexOf('--poll');
if (flag > 0) {
  const options = JSON.parse(process.argv[flag + 1] ?? '{}') as PollOptions;
  process.stdout.write(JSON.stringify(await poll(options)));
}
