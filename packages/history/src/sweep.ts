import { join } from 'node:path';
import {
  type HistorySource,
  historySourceFor,
  historySources,
  missingSettings,
  type RetryOptions,
} from '@flash/connectors';
import type { MetricContext } from '@flash/core';
import { type BackfillResult, fileCheckpoint, type Progress, runBackfill } from './backfill.js';
import { httpSink } from './sink.js';

/**
 * Backfills one or every configured source into a pipeline over HTTP: what `npm run backfill` and the local
 * stack's BACKFILL_ON_START run. Progress and the summary go to `log`, one line each.
 */

/** `--since` must be a real calendar day. */
export const SINCE = /^\d{4}-\d{2}-\d{2}$/;
export const isDay = (value: string): boolean =>
  SINCE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** Sources whose API credentials (and other required settings) are set. */
export const configuredSources = (env: Readonly<Record<string, string | undefined>>): HistorySource[] =>
  Object.values(historySources).filter((source) => missingSettings(source, env).length === 0);

/** The sources `--source` names (`all`: every configured one); throws naming what is missing. */
export const sourcesToRun = (name: string, env: Readonly<Record<string, string | undefined>>): HistorySource[] => {
  if (name === 'all') {
    const configured = configuredSources(env);
    if (configured.length === 0)
      throw new Error(
        `no source has API credentials: set ${Object.values(historySources)
          .map((s) => s.credentialVariable)
          .join(', ')}`,
      );
    return configured;
  }
  const source = historySourceFor(name);
  if (!source) throw new Error(`unknown source "${name}": one of ${Object.keys(historySources).join(', ')}, or all`);
  const missing = missingSettings(source, env);
  if (missing.length > 0) throw new Error(`${name}: set ${missing.join(' and ')} (see docs/sources/${name}.md)`);
  return [source];
};

/** Where checkpoint files go: `$DATA_DIR/backfill/` beside the local stack's data, else `.backfill/`. */
export const checkpointDir = (env: Readonly<Record<string, string | undefined>>): string =>
  env.DATA_DIR ? join(env.DATA_DIR, 'backfill') : '.backfill';

const number = (n: number) => Math.round(n).toLocaleString('en-US');

const duration = (seconds: number): string =>
  seconds < 90
    ? `${Math.round(seconds)} s`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3600).toFixed(1)} h`;

export const formatProgress = (p: Progress): string =>
  [
    `${p.source}: page ${number(p.pages)}, ${number(p.items)} items, ${number(p.events)} events`,
    `${p.itemsPerSecond.toFixed(1)} items/s`,
    ...(p.remaining !== undefined ? [`${number(p.remaining)} left in this list`] : []),
    ...(p.etaSeconds !== undefined ? [`about ${duration(p.etaSeconds)} to go`] : []),
  ].join(', ');

export const formatSummary = (r: BackfillResult): string =>
  `${r.source}: done, ${number(r.pages)} pages, ${number(r.items)} items read, ${number(r.events)} events delivered` +
  ` in ${duration(r.elapsedMs / 1000)}` +
  (r.resumedAfterPage > 0 ? ` (resumed after page ${number(r.resumedAfterPage)})` : '');

export interface SweepOptions {
  sources: readonly HistorySource[];
  since?: string | undefined;
  /** The pipeline's base URL. */
  target: string;
  token?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  ctx: MetricContext;
  log: (line: string) => void;
  retry?: RetryOptions;
  fetch?: typeof fetch;
}

/** Runs each source in turn; a failing source is reported and the others still run. Answers the failures. */
export const backfillSources = async (
  options: SweepOptions,
): Promise<{ results: BackfillResult[]; failures: string[] }> => {
  const results: BackfillResult[] = [];
  const failures: string[] = [];
  const sink = httpSink({
    target: options.target,
    token: options.token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  for (const source of options.sources) {
    const key = { source: source.source, since: options.since, target: options.target };
    try {
      const client = source.client({
        env: options.env,
        since: options.since,
        timeZone: options.ctx.timeZone,
        baseCurrency: options.ctx.baseCurrency,
        retry: {
          ...options.retry,
          onRetry: ({ waitMs, reason }) =>
            options.log(`${source.source}: ${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`),
        },
      });
      const result = await runBackfill({
        client,
        sink,
        checkpoint: fileCheckpoint(checkpointDir(options.env), key),
        onPage: (p) => options.log(formatProgress(p)),
      });
      options.log(formatSummary(result));
      results.push(result);
    } catch (error) {
      const reason = (error as Error).message;
      failures.push(reason);
      options.log(`${reason}; run the same command again to resume after the last completed page`);
    }
  }
  return { results, failures };
};
