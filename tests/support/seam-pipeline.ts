import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import {
  type Drift,
  eventBridgePublisher,
  makeAggregateHandler,
  makeConfigHandler,
  makeIngestHandler,
  makeQueryHandler,
  type PutEventsAnswer,
  type PutEventsEntry,
  rebuildAggregates,
} from '@flash/app';
import { AwsError, type AwsJsonClient } from '@flash/aws';
import { connectorFor } from '@flash/connectors';
import { type BusEvent, type MetricContext, matchesPattern, metricModel, rulePatterns } from '@flash/core';
import type { SQSRecord } from 'aws-lambda';
import { freshTable } from './dynamo.js';
import { apiEvent } from './gateway.js';
import { type Delivery, PUBLIC_BASE_URL, SEAM_SECRETS } from './provider-payloads.js';

/**
 * The production path on one process, with only the AWS transports replaced by what they deliver:
 *
 *   real ingest handler (real connectors, signatures checked)
 *   → the real EventBridge publisher, whose PutEvents entries are captured
 *   → the envelope EventBridge delivers to an SQS target: JSON of {version, id, detail-type, source, account,
 *     time, region, resources, detail}, routed with the deployed rule pattern
 *   → SQS records whose body is that JSON string, in random batches, at least once
 *   → the real aggregate handler → DynamoStore on DynamoDB Local
 *   → the real query handler, answering JSON.
 */

export const SEAM_CTX: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
export const SEAM_NOW = new Date('2026-11-20T10:00:00Z');

const ACCOUNT = '123456789012';
const REGION = 'eu-north-1';
/** PutEvents: at most 256 KiB of entries per request. */
const MAX_PUT_EVENTS_BYTES = 256 * 1024;

export interface DeadLetter {
  reason: string;
  body: string;
}

interface Message {
  body: string;
  receiveCount: number;
}

export interface PostResult {
  status: number;
  body: Record<string, unknown>;
}

/** A small seeded PRNG, so a failing run replays from its seed: the benchmark's own. */
export { seededRandom } from '../../bench/workload.js';

export const shuffle = <T>(items: readonly T[], random: () => number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** EventBridge's `time`: seconds precision, `Z`. */
const busTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** What EventBridge delivers to a target for one PutEvents entry. */
export const busEnvelope = (entry: PutEventsEntry, at: Date): BusEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.DetailType,
  source: entry.Source,
  account: ACCOUNT,
  time: busTime(at),
  region: REGION,
  resources: [],
  detail: JSON.parse(entry.Detail) as unknown,
});

const sqsRecord = (message: Message, at: Date): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: randomUUID(),
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(at.getTime()),
    SenderId: 'AROAEVENTBRIDGE:events',
    ApproximateFirstReceiveTimestamp: String(at.getTime()),
  },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(message.body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:flash-figures-aggregate`,
  awsRegion: REGION,
});

const silent = () => new Logger({ serviceName: 'seams', logLevel: 'SILENT' });

/** A silent logger that keeps the aggregator's warnings and errors, to say why a record keeps failing. */
class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  constructor() {
    super({ serviceName: 'seams-aggregate', logLevel: 'SILENT' });
  }
  private record(input: LogItemMessage, extra: LogItemExtraInput) {
    const text = (value: unknown): string =>
      value instanceof Error
        ? `${value.name}: ${value.message}`
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    const details = extra.map((e) =>
      typeof e === 'object' && e !== null && !(e instanceof Error)
        ? Object.entries(e)
            .map(([k, v]) => `${k}=${text(v)}`)
            .join(' ')
        : text(e),
    );
    this.lines.push([text(input), ...details].join(' '));
    this.lines.splice(0, Math.max(0, this.lines.length - 20));
  }
  override warn(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.record(input, extra);
  }
  override error(input: LogItemMessage, ...extra: LogItemExtraInput): void {
    this.record(input, extra);
  }
}

export interface SeamPipeline {
  /** POST /webhooks/{source} through the ingest handler; what it publishes waits in the queue. */
  post(delivery: Delivery, extraHeaders?: Record<string, string>): Promise<PostResult>;
  /** Hands every queued message to the aggregator, shuffled, in batches, some twice, until none is left. */
  drain(options?: DrainOptions): Promise<void>;
  /** PUT/POST/DELETE a configuration route (users, stage labels) through the config handler; its status. */
  configure(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<number>;
  /** GET a query route; the answer's JSON. */
  get<T = Record<string, unknown>>(path: string, query?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** What the aggregator parked as poison, with its reason. */
  readonly deadLetters: readonly DeadLetter[];
  /** Every PutEvents entry the ingest handler published. */
  readonly published: readonly PutEventsEntry[];
  /** `rebuild --verify`: the drift between the incremental aggregates and a recomputation. */
  verify(): Promise<Drift[]>;
  close(): Promise<void>;
}

export interface DrainOptions {
  random?: () => number;
  /** Largest SQS batch handed to the aggregator. */
  maxBatch?: number;
  /** Share of messages SQS delivers twice. */
  redeliveryRate?: number;
  /** Aggregator invocations running at once. */
  concurrency?: number;
}

export const startSeamPipeline = async ({
  ctx = SEAM_CTX,
  now = SEAM_NOW,
}: {
  ctx?: MetricContext;
  now?: Date;
} = {}): Promise<SeamPipeline> => {
  const table = await freshTable();
  const clock = () => now;
  const published: PutEventsEntry[] = [];
  const queue: Message[] = [];
  const deadLetters: DeadLetter[] = [];

  const eventBridge: AwsJsonClient = async <Output>(action: string, input: object) => {
    if (action !== 'PutEvents') throw new Error(`the ingest handler called ${action}; only PutEvents is served here`);
    const entries = (input as { Entries: PutEventsEntry[] }).Entries;
    // EventBridge refuses a request whose entries exceed 256 KiB in all, as it does on AWS.
    const size = entries.reduce((n, e) => n + Buffer.byteLength(`${e.Source}${e.DetailType}${e.Detail}`), 0);
    if (size > MAX_PUT_EVENTS_BYTES)
      throw new AwsError('ValidationException', 'Total size of the entries in the request is over the limit.', {
        status: 400,
        retryable: false,
      });
    for (const entry of entries) {
      published.push(entry);
      const envelope = busEnvelope(entry, now);
      // The rule that feeds the aggregator's queue, as deployed.
      if (matchesPattern(rulePatterns.aggregate, envelope))
        queue.push({ body: JSON.stringify(envelope), receiveCount: 0 });
    }
    const answer: PutEventsAnswer = { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
    return answer as Output;
  };

  const ingest = makeIngestHandler({
    connectorFor,
    secrets: { get: async (name) => SEAM_SECRETS[name] },
    publisher: eventBridgePublisher('flash-figures', eventBridge),
    logger: silent(),
    ctx,
    now: clock,
    publicBaseUrl: PUBLIC_BASE_URL,
    settings: {},
  });
  const aggregateLog = new RecordingLogger();
  const aggregate = makeAggregateHandler({
    store: table.store,
    ctx,
    now: clock,
    logger: aggregateLog,
    deadLetters: {
      async deadLetter(record, reason) {
        deadLetters.push({ reason, body: record.body });
      },
    },
  });
  const query = makeQueryHandler({ store: table.store, ctx, now: clock, logger: silent(), readCacheMs: 0 });
  const config = makeConfigHandler({ store: table.store, logger: silent(), now: clock });

  return {
    published,
    deadLetters,

    async post(d, extraHeaders = {}) {
      const result = await ingest(
        apiEvent({
          method: 'POST',
          path: `/webhooks/${d.source}`,
          headers: { ...d.headers, ...extraHeaders },
          body: d.body,
          routeKey: 'POST /webhooks/{source}',
          pathParameters: { source: d.source },
          host: 'hooks.example.com',
          at: now,
        }),
      );
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
    },

    async drain({ random = Math.random, maxBatch = 10, redeliveryRate = 0.1, concurrency = 2 } = {}) {
      // SQS is at least once: some messages come twice, in any order.
      const pending = shuffle(
        queue.splice(0).flatMap((m) => (random() < redeliveryRate ? [m, { ...m }] : [m])),
        random,
      );
      const worker = async () => {
        for (;;) {
          const size = 1 + Math.floor(random() * maxBatch);
          const batch = pending.splice(0, size).map((m) => ({ ...m, receiveCount: m.receiveCount + 1 }));
          if (batch.length === 0) return;
          const records = batch.map((m) => ({ message: m, record: sqsRecord(m, now) }));
          const response = await aggregate({ Records: records.map((r) => r.record) });
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          for (const { message, record } of records) {
            if (!failed.has(record.messageId)) continue;
            if (message.receiveCount >= 20)
              throw new Error(
                `a message failed ${message.receiveCount} times in a row; the aggregator said: ${aggregateLog.lines.slice(-3).join(' | ')}`,
              );
            pending.push(message);
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },

    async configure(method, path, body) {
      const result = await config(
        apiEvent({
          method,
          path,
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          at: now,
        }),
      );
      return result.statusCode ?? 0;
    },

    async get<T>(path: string, params: Record<string, string> = {}) {
      const result = await query(
        apiEvent({
          path,
          query: params,
          headers: { accept: 'application/json' },
          routeKey: 'GET /v1/{proxy+}',
          at: now,
        }),
      );
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null') as T };
    },

    async verify() {
      const report = await rebuildAggregates({
        store: table.store,
        model: metricModel,
        ctx,
        now: clock,
        mode: 'verify',
      });
      return report.drift;
    },

    async close() {
      await table.drop();
    },
  };
};
