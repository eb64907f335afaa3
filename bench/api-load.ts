import { createRequire } from 'node:module';
import { runJsonChild } from './child.js';

export interface LoadResult {
  connections: number;
  conditional: boolean;
  /** Requests per second asked of all pollers together; null: each poller asks again as soon as answered. */
  pacedRate: number | null;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Responses by status code. */
  statuses: Record<string, number>;
  errors: number;
}

/** The part of autocannon's `--json` report the bench reads. */
interface AutocannonReport {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon');

/**
 * Polls `url` with autocannon in a separate Node process, so the load generator does not share an event loop
 * with the server it measures. `etag` adds `If-None-Match`, as a polling dashboard that keeps the last answer
 * would. The child is killed if the run is abandoned.
 */
export const pollWithAutocannon = (opts: {
  url: string;
  connections: number;
  seconds: number;
  etag?: string | undefined;
  /** Overall requests per second (autocannon -R), for pollers at a dashboard's pace rather than flat out. */
  rate?: number | undefined;
  signal?: AbortSignal;
}): Promise<LoadResult> => {
  const args = [autocannonCli, '--json', '-c', String(opts.connections), '-d', String(opts.seconds)];
  if (opts.etag) args.push('-H', `if-none-match:${opts.etag}`);
  if (opts.rate) args.push('-R', String(opts.rate));
  args.push(opts.url);
  return runJsonChild<AutocannonReport>('autocannon', args, opts.signal).then((report) => ({
    connections: opts.connections,
    conditional: opts.etag !== undefined,
    pacedRate: opts.rate ?? null,
    requests: report.requests.total,
    requestsPerSecond: Math.round(report.requests.average),
    latencyMs: { p50: report.latency.p50, p99: report.latency.p99, max: report.latency.max },
    statuses: Object.fromEntries(Object.entries(report.statusCodeStats ?? {}).map(([s, v]) => [s, v.count])),
    errors: report.errors + report.timeouts,
  }));
};
