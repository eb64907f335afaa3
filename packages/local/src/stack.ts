import { Logger } from '@aws-lambda-powertools/logger';
import {
  AGGREGATE_BATCH_SIZE,
  customerContext,
  envSecrets,
  gatewayRoutes,
  httpRoutes,
  makeAggregateHandler,
  makeAlertHandler,
  makeConfigHandler,
  makeIngestHandler,
  makeQueryHandler,
  pathPattern,
  SNAPSHOT_INTERVAL_MINUTES,
  settingsFromEnv,
  takeSnapshot,
} from '@flash/app';
import { connectorFor } from '@flash/connectors';
import { type MetricContext, rulePatterns } from '@flash/core';
import { type DynamoStore, dynamoStore, ensureTable } from '@flash/store';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeLocalAdminHandler } from './admin.js';
import { LocalBus } from './bus.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { httpLimitsFromEnv, localHostNames, startHttpServer } from './http-server.js';
import { LocalQueue } from './queue.js';
import { DynamoQueueStorage, QUEUE_TABLE_NAME } from './queue-storage.js';

export interface LocalStackOptions {
  /** Configuration as environment variables (contract section 1); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** 0 picks a free port. Defaults to PORT, else 3000. */
  port?: number;
  /** Aggregator batch size (SQS BatchSize); the deployed one by default. */
  batchSize?: number;
  /** Powertools log level for the handlers; tests pass SILENT. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  now?: () => Date;
  /** How long the query API shares an aggregate read between requests; tests that read right after writing use 0. */
  readCacheMs?: number;
  /** How often the daily snapshot of the "now" figures is written (the schedule on AWS); 0 turns the timer off. */
  snapshotIntervalMs?: number;
}

export interface LocalStack {
  url: string;
  port: number;
  ctx: MetricContext;
  dynamo: DynamoDbLocal;
  store: DynamoStore;
  queue: LocalQueue;
  /** Feeds the alert handler: EventBridge's asynchronous invocation with its retries and DLQ. */
  alertQueue: LocalQueue;
  /** Feeds the alert handler's Slack step, retried and dead-lettered on its own. */
  slackQueue: LocalQueue;
  bus: LocalBus;
  /** Resolves when every accepted event has been aggregated and every alert handled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export const TABLE_NAME = 'flash-figures';

/**
 * The whole pipeline on one machine: DynamoDB Local, the same handlers the Lambdas run, an in-process bus
 * routing with the deployed rule patterns, a queue feeding the aggregator in SQS-shaped batches, and the
 * webhook and query routes over real HTTP.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const env = options.env ?? process.env;
  const settings = settingsFromEnv(env);
  const { ctx } = settings;
  const now = options.now ?? (() => new Date());
  const logger = new Logger({ serviceName: 'flash-figures-local', logLevel: options.logLevel ?? 'INFO' });
  const dynamo = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
  const cleanup: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    await ensureTable(dynamo.client, TABLE_NAME);
    await ensureTable(dynamo.client, QUEUE_TABLE_NAME);
    const store = dynamoStore(dynamo.client, TABLE_NAME);

    // Both queues keep their messages in DynamoDB Local (on disk with DATA_DIR): an event answered 202 is
    // stored before the answer and survives a crash of this process.
    const queue = new LocalQueue('aggregate', {
      batchSize: options.batchSize ?? AGGREGATE_BATCH_SIZE,
      storage: new DynamoQueueStorage(dynamo.client, 'aggregate'),
      onError: (error) => logger.error('aggregate invocation failed', { error }),
    });
    const bus = new LocalBus();
    const aggregate = makeAggregateHandler({
      store,
      ctx,
      now,
      logger: logger.createChild({ serviceName: 'aggregate' }),
      deadLetters: queue,
      // Announces applied detractor states (`Alert Raised`), which the detractorAlert rule routes to alertQueue.
      publisher: bus,
    });
    // Lambda's asynchronous invocation by an EventBridge rule: one event at a time, two retries, then the DLQ.
    const asyncInvocation = (name: 'alert' | 'slack') =>
      new LocalQueue(name, {
        batchSize: 1,
        maxReceiveCount: 3,
        visibilityTimeoutMs: 200,
        storage: new DynamoQueueStorage(dynamo.client, name),
        onError: (error) => logger.error(`${name} invocation failed`, { error }),
      });
    const alertQueue = asyncInvocation('alert');
    // The Slack step, on its own rule and queue: a Slack outage retries and dead-letters only the POST.
    const slackQueue = asyncInvocation('slack');

    const alert = makeAlertHandler({
      alerts: store,
      publisher: bus,
      logger: logger.createChild({ serviceName: 'alert' }),
      now,
      // Unset, empty or the deploy's placeholder: alerts are logged and listed only.
      slackWebhookUrl: async () => settings.alertWebhookUrl,
      customerContext: (customerId) => customerContext(store, customerId, ctx, now()),
    });
    bus
      .addRule({
        name: 'aggregate',
        pattern: rulePatterns.aggregate,
        deliver: (events) => queue.send(events.map((event) => JSON.stringify(event))),
      })
      .addRule({
        name: 'detractorAlert',
        pattern: rulePatterns.detractorAlert,
        deliver: (events) => alertQueue.send(events.map((event) => JSON.stringify(event))),
      })
      .addRule({
        name: 'slackAlert',
        pattern: rulePatterns.slackAlert,
        deliver: (events) => slackQueue.send(events.map((event) => JSON.stringify(event))),
      });
    const invokeAlert = async ({ Records }: SQSEvent): Promise<SQSBatchResponse> => {
      for (const record of Records) await alert(JSON.parse(record.body) as { 'detail-type': string; detail: unknown });
      return { batchItemFailures: [] };
    };
    const apiToken = env.API_TOKEN || undefined;
    // A read-only token means something only beside the API token: without one everything is open anyway.
    const readApiToken = apiToken ? env.READ_API_TOKEN || undefined : undefined;
    const admin = makeLocalAdminHandler({ queues: [queue, alertQueue, slackQueue], apiToken });

    const ingest = makeIngestHandler({
      connectorFor,
      secrets: envSecrets(env),
      publisher: bus,
      logger: logger.createChild({ serviceName: 'ingest' }),
      ctx,
      now,
      publicBaseUrl: settings.publicBaseUrl,
      settings: settings.connectorSettings,
      apiToken,
      readApiToken,
    });
    const { corsOrigins } = settings;
    const config = makeConfigHandler({
      store,
      logger: logger.createChild({ serviceName: 'config' }),
      apiToken,
      readApiToken,
      corsOrigins,
    });
    const query = makeQueryHandler({
      store,
      ctx,
      now,
      logger: logger.createChild({ serviceName: 'query' }),
      apiToken,
      readApiToken,
      corsOrigins,
      readCacheMs: options.readCacheMs,
    });

    const port = options.port ?? Number(env.PORT || 3000);
    // The route table's routes as API Gateway holds them, and the local ones; each target's handler serves its own.
    const handlers = { ingest, query, config, 'local-admin': admin };
    const signed = httpRoutes.filter((route) => route.auth === 'signature').map((route) => pathPattern(route.path));
    const http = await startHttpServer(
      gatewayRoutes({ local: true }).map(({ method, path, target }) => ({ method, path, handler: handlers[target] })),
      {
        port,
        onError: (error) => logger.error('http request failed', { error }),
        limits: httpLimitsFromEnv(env),
        trustForwardedHeaders: env.TRUST_FORWARDED_HEADERS?.trim().toLowerCase() === 'true',
        // Without a token, only local names (and PUBLIC_BASE_URL's) are answered: DNS rebinding. Signed routes
        // (webhooks) are answered whatever the Host.
        hostCheck: apiToken
          ? undefined
          : {
              allowed: localHostNames(env.PUBLIC_BASE_URL),
              anyHost: { test: (path: string) => signed.some((pattern) => pattern.test(path)) },
            },
      },
    );
    cleanup.unshift(
      () => http.stop(),
      () => queue.stop(),
      () => alertQueue.stop(),
      () => slackQueue.stop(),
    );
    // The snapshot job's schedule on AWS (docs/metrics.md): one at start, then every interval.
    const snapshotIntervalMs = options.snapshotIntervalMs ?? SNAPSHOT_INTERVAL_MINUTES * 60_000;
    if (snapshotIntervalMs > 0) {
      const snapshot = () =>
        takeSnapshot({ store, ctx, now }).catch((error) => logger.error('snapshot failed', { error }));
      void snapshot();
      const timer = setInterval(snapshot, snapshotIntervalMs);
      cleanup.unshift(async () => clearInterval(timer));
    }
    // Delivery starts only now that every handler is wired, with what a previous run left in the queues.
    await queue.start(aggregate);
    await alertQueue.start(invokeAlert);
    await slackQueue.start(invokeAlert);

    return {
      url: `http://127.0.0.1:${http.port}`,
      port: http.port,
      ctx,
      dynamo,
      store,
      queue,
      alertQueue,
      slackQueue,
      bus,
      settled: async () => {
        // In the order events flow: aggregate announces to alert, which publishes to slack.
        await queue.idle();
        await alertQueue.idle();
        await slackQueue.idle();
      },
      stop: async () => {
        for (const step of cleanup) await step();
      },
    };
  } catch (error) {
    for (const step of cleanup) await step();
    throw error;
  }
};
