import { connectors } from '@flash/connectors';
import { backfillSources, configuredSources, isDay } from '@flash/history';
import { LocalStackError } from './errors.js';
import { localHostNames } from './http-server.js';
import { startLocalStack } from './stack.js';

/** `npm start`: the whole pipeline on this machine, configured by environment variables. */
const main = async () => {
  const env = process.env;
  const started = Date.now();
  const stack = await startLocalStack({ env, logLevel: (env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'WARN' });
  const lines = [
    `Flash figures running on http://localhost:${stack.port} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  time zone ${stack.ctx.timeZone}, base currency ${stack.ctx.baseCurrency}, DynamoDB Local ${env.DATA_DIR ? `on disk in ${env.DATA_DIR}` : 'in memory (set DATA_DIR to keep data)'}`,
    `  dashboard:     http://localhost:${stack.port}/`,
    `  figures:  GET  http://localhost:${stack.port}/v1/metrics`,
    `  DynamoDB Local: ${stack.dynamo.endpoint}, ${stack.dynamo.listensOn === 'loopback' ? 'this machine only' : 'EVERY network interface'} (DYNAMODB_ENDPOINT=${stack.dynamo.endpoint} npm run rebuild -- --verify)`,
    '  webhooks:',
    ...Object.values(connectors).map(
      (c) =>
        `    POST http://localhost:${stack.port}/webhooks/${c.source.padEnd(10)} ${env[c.secretVariable] ? 'ready' : `not configured: set ${c.secretVariable}`}`,
    ),
  ];
  if (!env.API_TOKEN)
    lines.push(
      '  WARNING: API_TOKEN is not set, so /v1/* is open to anyone who can reach this port.',
      `  Against DNS rebinding, only these Host names are answered (webhooks: any): ${localHostNames(env.PUBLIC_BASE_URL).join(', ')}`,
    );
  if (stack.dynamo.warning) lines.push(`  WARNING: ${stack.dynamo.warning}`);
  console.log(lines.join('\n'));

  // Like peers that import on connect: history of every source with API credentials, after the start.
  const onStart = env.BACKFILL_ON_START?.trim();
  if (onStart && onStart !== 'false') {
    const since = isDay(onStart) ? onStart : undefined;
    void backfillSources({
      sources: configuredSources(env),
      since,
      target: stack.url,
      token: env.API_TOKEN || undefined,
      env,
      ctx: stack.ctx,
      log: (line) => console.log(`  backfill ${line}`),
    });
  }

  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping`);
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
};

main().catch((error) => {
  // Setup problems (Java missing, a bad setting) are told as a sentence; anything else with its stack.
  console.error(error instanceof LocalStackError ? error.message : error);
  process.exit(1);
});
