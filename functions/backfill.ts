import {
  cachedSecretString,
  eventBridgePublisher,
  makeLogger,
  metricContextFromEnv,
  parseSecretsJson,
  requireEnv,
} from '@flash/app';
import { historySourceFor, missingSettings } from '@flash/connectors';
import { busSink, type Checkpoint, isDay, memoryCheckpoint, runBackfill } from '@flash/history';
import type { Context } from 'aws-lambda';

/**
 * One leg of a backfill on AWS, run by the history state machine (docs/deploy.md): reads the source's list
 * API from the checkpoint on, puts the canonical events on the bus (through the ingest gate, as history),
 * and stops after the page that leaves less than STOP_BEFORE_END_MS of its 15 minutes. The state machine
 * invokes it again with the checkpoint it returns until `done`. Credentials come from the API credentials
 * secret (a JSON object by variable name: STRIPE_API_KEY, TYPEFORM_FORM_IDS, …).
 */

export interface BackfillInput {
  source: string;
  /** Only what changed since this day (YYYY-MM-DD); or `sinceDays` before today (the nightly sweep). */
  since?: string;
  sinceDays?: number;
  checkpoint?: Checkpoint;
}

export interface BackfillOutput {
  source: string;
  since?: string | undefined;
  done: boolean;
  checkpoint?: Checkpoint | undefined;
  pages: number;
  items: number;
  events: number;
}

/** Room left for the last page (reading it and putting it on the bus) before Lambda's 15-minute end. */
export const STOP_BEFORE_END_MS = 3 * 60_000;

const logger = makeLogger('backfill');
const credentials = cachedSecretString(requireEnv('API_CREDENTIALS_ARN'), { logger });
const sink = busSink(eventBridgePublisher(requireEnv('EVENT_BUS_NAME')));

const dayBefore = (days: number, now: Date): string =>
  new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);

export const handler = async (input: BackfillInput, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
  const source = historySourceFor(input.source);
  if (!source) throw new Error(`unknown source "${input.source}"`);
  const since = input.since ?? (input.sinceDays === undefined ? undefined : dayBefore(input.sinceDays, new Date()));
  if (since !== undefined && !isDay(since)) throw new Error(`since "${since}" is not a day (YYYY-MM-DD)`);
  const secret = await credentials();
  const env = { ...process.env, ...Object.fromEntries(secret ? parseSecretsJson(secret).values : []) };
  const missing = missingSettings(source, env);
  if (missing.length > 0) throw new Error(`${source.source}: the API credentials secret has no ${missing.join(', ')}`);
  const ctx = metricContextFromEnv(env);
  const checkpoint = memoryCheckpoint(input.checkpoint);
  const result = await runBackfill({
    client: source.client({ env, since, timeZone: ctx.timeZone, baseCurrency: ctx.baseCurrency }),
    sink,
    checkpoint,
    shouldStop: () => context.getRemainingTimeInMillis() < STOP_BEFORE_END_MS,
    onPage: (p) => logger.info('page', { ...p }),
  });
  const output: BackfillOutput = {
    source: source.source,
    since,
    done: result.done,
    checkpoint: result.checkpoint,
    pages: result.pages,
    items: result.items,
    events: result.events,
  };
  logger.info(result.done ? 'backfill done' : 'backfill continues in the next invocation', { ...output });
  return output;
};
