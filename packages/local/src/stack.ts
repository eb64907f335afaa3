import { Logger } from '@aws-lambda-powertools/logger';
import {
  envSecrets,
  makeAggregateHandler,
  makeAlertHandler,
  makeIngestHandler,
  makeQueryHandler,
  metricContextFromEnv,
  slackNotifier,
} from '@flash/app';
import { connectorFor } from '@flash/connectors';
import { type BusEvent, type MetricContext, rulePatterns } from '@flash/core';
import { DynamoStore, ensureTable } from '@flash/store';
import { asyncInvoke, LocalBus } from './bus.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { startHttpServer } from './http-server.js';
import { LocalQueue } from './queue.js';

export interface LocalStackOptions {
  /** Configuration as environment variables (contract section 1); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** 0 picks a free port. Defaults to PORT, else 3000. */
  port?: number;
  /** Aggregator batch size (SQS BatchSize). */
  batchSize?: number;
  /** Powertools log level for the handlers; tests pass SILENT. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  now?: () => Date;
}

export interface LocalStack {
  url: string;
  port: number;
  ctx: MetricContext;
  dynamo: DynamoDbLocal;
  store: DynamoStore;
  queue: LocalQueue;
  bus: LocalBus;
  /** Resolves when every accepted event has been aggregated. */
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
  const ctx = metricContextFromEnv(env);
  const now = options.now ?? (() => new Date());
  const logger = new Logger({ serviceName: 'flash-figures-local', logLevel: options.logLevel ?? 'INFO' });
  const dynamo = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
  const cleanup: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    await ensureTable(dynamo.client, TABLE_NAME);
    const store = new DynamoStore(dynamo.client, TABLE_NAME);

    const queue = new LocalQueue('aggregate', {
      batchSize: options.batchSize ?? 100,
      onError: (error) => logger.error('aggregate invocation failed', { error }),
    });
    const aggregate = makeAggregateHandler({
      store,
      ctx,
      now,
      logger: logger.createChild({ serviceName: 'aggregate' }),
    });
    queue.consume(aggregate);

    const bus = new LocalBus();
    const alert = makeAlertHandler({
      alerts: store,
      publisher: bus,
      logger: logger.createChild({ serviceName: 'alert' }),
      now,
      notify: env.ALERT_WEBHOOK_URL ? slackNotifier(env.ALERT_WEBHOOK_URL) : undefined,
    });
    bus
      .addRule({
        name: 'aggregate',
        pattern: rulePatterns.aggregate,
        deliver: (event) => void queue.send(JSON.stringify(event)),
      })
      .addRule({
        name: 'detractorAlert',
        pattern: rulePatterns.detractorAlert,
        deliver: asyncInvoke(
          (event: BusEvent) => alert(event),
          (error) => logger.error('alert invocation failed after retries', { error }),
        ),
      });

    const ingest = makeIngestHandler({
      connectorFor,
      secrets: envSecrets(env),
      publisher: bus,
      logger: logger.createChild({ serviceName: 'ingest' }),
      ctx,
      now,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      settings: env,
    });
    const query = makeQueryHandler({
      store,
      ctx,
      now,
      logger: logger.createChild({ serviceName: 'query' }),
      apiToken: env.API_TOKEN || undefined,
    });

    const port = options.port ?? Number(env.PORT || 3000);
    const http = await startHttpServer(
      [
        { method: 'POST', path: '/webhooks/{source}', handler: ingest },
        { method: 'GET', path: '/v1/*', handler: query },
      ],
      { port, onError: (error) => logger.error('http request failed', { error }) },
    );
    cleanup.unshift(
      () => http.stop(),
      () => queue.stop(),
    );

    return {
      url: `http://127.0.0.1:${http.port}`,
      port: http.port,
      ctx,
      dynamo,
      store,
      queue,
      bus,
      settled: () => queue.idle(),
      stop: async () => {
        for (const step of cleanup) await step();
      },
    };
  } catch (error) {
    for (const step of cleanup) await step();
    throw error;
  }
};
