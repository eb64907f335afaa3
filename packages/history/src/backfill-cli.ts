import { parseArgs } from 'node:util';
import { metricContextFromEnv } from '@flash/app';
import { backfillSources, isDay, sourcesToRun } from './sweep.js';

/**
 * `npm run backfill -- --source <stripe|hubspot|pipedrive|typeform|delighted|all> [--since YYYY-MM-DD]
 * [--target URL]`: reads the provider's list API page by page and delivers the canonical events to the
 * pipeline at --target (default http://localhost:$PORT) with API_TOKEN. Resumes an interrupted run with the
 * same source, since and target; exits non-zero with the reason when a source fails.
 */
const USAGE =
  'usage: npm run backfill -- --source <stripe|hubspot|pipedrive|typeform|delighted|all> [--since YYYY-MM-DD] [--target URL]';

const main = async (): Promise<number> => {
  const env = process.env;
  const { values } = parseArgs({
    options: { source: { type: 'string' }, since: { type: 'string' }, target: { type: 'string' } },
    strict: true,
  });
  if (!values.source) throw new Error(USAGE);
  if (values.since !== undefined && !isDay(values.since))
    throw new Error(`--since "${values.since}" is not a day (YYYY-MM-DD)`);
  const target = values.target ?? `http://localhost:${env.PORT || 3000}`;
  const { failures } = await backfillSources({
    sources: sourcesToRun(values.source, env),
    since: values.since,
    target,
    token: env.API_TOKEN || undefined,
    env,
    ctx: metricContextFromEnv(env),
    log: (line) => console.error(line),
  });
  if (failures.length > 0) {
    console.error(`backfill failed: ${failures.join('; ')}`);
    return 1;
  }
  return 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(2);
  },
);
