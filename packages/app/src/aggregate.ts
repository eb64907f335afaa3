import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type ApplyResult,
  applyEvents,
  type CanonicalEvent,
  ConflictError,
  type EntityStore,
  type MetricContext,
  metricModel,
  parseCanonicalEvent,
  ThrottledError,
} from '@flash/core';
import { StoreUnavailableError } from '@flash/store';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetterSink } from './dead-letters.js';

export interface AggregateDeps {
  store: EntityStore;
  ctx: MetricContext;
  now: () => Date;
  logger: Logger;
  /**
   * Where records that can never be applied go, with their reason. Without it they are reported as failed
   * and reach the DLQ through the queue's redrive policy after maxReceiveCount, without a reason.
   */
  deadLetters?: DeadLetterSink | undefined;
}

interface Item {
  record: SQSRecord;
  event: CanonicalEvent;
}

/** Failures that go away by themselves: the same batch succeeds later. Everything else is about the data. */
const isTransient = (error: unknown): boolean =>
  error instanceof ConflictError || error instanceof ThrottledError || error instanceof StoreUnavailableError;

/** One line: zod's messages are pretty-printed JSON. */
const describe = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : `unknown error: ${String(error)}`).replace(/\s+/g, ' ');

/**
 * SQS → aggregates. The whole batch is applied together so that deltas to the same aggregate are summed
 * and written once; this is why it does not hand records one by one to Powertools' BatchProcessor.
 *
 * Failures: a transient one (throttling, conflicts, DynamoDB unavailable; the engine already retried) fails
 * the whole batch, retried by SQS, which is safe because applying a state twice changes nothing. Any other
 * failure is about some record's data: the batch is cut in halves until the records that fail on their own
 * are found; the rest is applied, and those poison records are dead-lettered with the reason.
 */
export const makeAggregateHandler =
  (deps: AggregateDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const retry: string[] = [];
    const poison: { record: SQSRecord; reason: string }[] = [];
    const valid: Item[] = [];
    for (const record of event.Records) {
      try {
        const envelope = JSON.parse(record.body) as { detail?: unknown };
        valid.push({ record, event: parseCanonicalEvent(envelope.detail) });
      } catch (error) {
        // A SyntaxError quotes the body, personal data included; say only what it is.
        const what = error instanceof SyntaxError ? 'body is not JSON' : describe(error);
        poison.push({ record, reason: `not a canonical event: ${what}` });
      }
    }

    const totals: ApplyResult = { changed: 0, unchanged: 0, commits: 0, items: 0 };
    const applyIsolating = async (items: Item[]): Promise<void> => {
      if (items.length === 0) return;
      try {
        const result = await applyEvents(
          items.map((i) => i.event),
          { store: deps.store, model: metricModel, ctx: deps.ctx, now: deps.now },
        );
        for (const key of Object.keys(totals) as (keyof ApplyResult)[]) totals[key] += result[key];
      } catch (error) {
        if (isTransient(error)) {
          deps.logger.warn('records not applied; will be retried', { records: items.length, error });
          retry.push(...items.map((i) => i.record.messageId));
        } else if (items.length === 1) {
          poison.push({ record: (items[0] as Item).record, reason: describe(error) });
        } else {
          const half = Math.ceil(items.length / 2);
          await applyIsolating(items.slice(0, half));
          await applyIsolating(items.slice(half));
        }
      }
    };
    await applyIsolating(valid);
    deps.logger.info('batch applied', { records: event.Records.length, ...totals, poison: poison.length });

    for (const { record, reason } of poison) {
      // The reason names what is wrong (a field, a date, a currency), never comments or e-mail addresses.
      deps.logger.error('poison record', { messageId: record.messageId, reason });
      if (!deps.deadLetters) {
        retry.push(record.messageId);
        continue;
      }
      try {
        await deps.deadLetters.deadLetter(record, reason);
      } catch (error) {
        deps.logger.error('poison record not dead-lettered; will be retried', { messageId: record.messageId, error });
        retry.push(record.messageId);
      }
    }
    return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
  };
