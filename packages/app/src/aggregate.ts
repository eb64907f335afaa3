import type { Logger } from '@aws-lambda-powertools/logger';
import {
  AGGREGATE_SOURCE,
  ALERT_RAISED,
  applyEvents,
  type CanonicalEvent,
  type DeadLetterSink,
  type DueAlert,
  type EntityStore,
  type EventPublisher,
  entityKey,
  foldJournals,
  type MetricContext,
  markAlertsAnnounced,
  metricModel,
  parseCanonicalEvent,
  RetryableError,
} from '@flash/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface AggregateDeps {
  store: EntityStore;
  ctx: MetricContext;
  now: () => Date;
  logger: Logger;
  /**
   * Where records that can never be applied go, with their reason. Without it they are reported as failed
   * and reach the DLQ through the queue's redrive policy after maxReceiveCount, without a reason.
   */
  deadLetters?: DeadLetterSink<SQSRecord> | undefined;
  /**
   * Where detractor alerts are announced once their state is applied (`Alert Raised` on the bus, which the
   * detractorAlert rule sends to the alert function). Without it they stay pending in the entity states.
   */
  publisher?: EventPublisher | undefined;
}

interface Item {
  record: SQSRecord;
  event: CanonicalEvent;
}

/** Failures that go away by themselves: the same batch succeeds later. Everything else is about the data. */
const isTransient = (error: unknown): boolean => error instanceof RetryableError;

/** One line: zod's messages are pretty-printed JSON. */
const describe = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : `unknown error: ${String(error)}`).replace(/\s+/g, ' ');

/**
 * The most records the queue hands the aggregate function at once (SQS allows 10,000 with a batching
 * window). Large batches are what make the commit protocol cheap: a batch's entity states commit together and
 * its fold writes each rollup and aggregate it touches once (docs/benchmark.md measures 100 against 1,000).
 * At low rates the batching window, not the size, ends a batch, so freshness does not change with it.
 */
export const AGGREGATE_BATCH_SIZE = 1_000;

/**
 * SQS → aggregates. The whole batch is applied together so that deltas to the same aggregate are summed
 * and written once; this is why it does not hand records one by one to Powertools' BatchProcessor.
 *
 * Failures: a transient one (throttling, conflicts, DynamoDB unavailable; the engine already retried) fails
 * the whole batch, retried by SQS, which is safe because applying a state twice changes nothing. Any other
 * failure is about some record's data: the batch is cut in halves until the records that fail on their own
 * are found; the rest is applied, and those poison records are dead-lettered with the reason.
 *
 * Alerts: a commit that makes a survey response's applied state a detractor marks it `pending` in the same
 * transaction. After applying, the handler announces every pending alert of the batch on the bus and then
 * marks them `announced`. A stop in between leaves them pending, and the batch's redelivery (its events now
 * unchanged) finds and announces them again; a failed announcement has their records retried for that
 * reason. The alert function records one alert per response, so announcing twice raises one alert.
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

    const totals = { changed: 0, unchanged: 0, commits: 0, items: 0, folded: 0 };
    const alerts = new Map<string, DueAlert>();
    const journals: string[] = [];
    const engine = { store: deps.store, model: metricModel, ctx: deps.ctx, now: deps.now };
    const applyIsolating = async (items: Item[]): Promise<void> => {
      if (items.length === 0) return;
      try {
        const result = await applyEvents(
          items.map((i) => i.event),
          { ...engine, fold: false },
        );
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result[key];
        journals.push(...result.journals);
        for (const alert of result.alerts) alerts.set(alert.key, alert);
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
    // Once per batch and outside the isolation above: a fold writes every waiting journal's figures, so its
    // failure says nothing about this batch's records. Their states are committed; a redelivery folds them.
    let folded = true;
    try {
      const fold = await foldJournals(engine, journals);
      totals.folded += fold.journals;
      totals.items += fold.items;
    } catch (error) {
      folded = false;
      deps.logger.error('journals not folded; the batch will be retried', { journals: journals.length, error });
      const poisoned = new Set(poison.map((p) => p.record.messageId));
      retry.push(...valid.map((i) => i.record.messageId).filter((id) => !poisoned.has(id)));
    }
    deps.logger.info('batch applied', {
      records: event.Records.length,
      ...totals,
      alerts: alerts.size,
      poison: poison.length,
    });
    // Alerts carry the stake as the figures hold it, this batch folded in; without the fold they stay pending
    // in their states, and the redelivery announces them.
    if (folded) retry.push(...(await announce([...alerts.values()], valid, deps)));

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
    return { batchItemFailures: [...new Set(retry)].map((itemIdentifier) => ({ itemIdentifier })) };
  };

/**
 * Announces the batch's due alerts, then marks them announced. Answers the records to retry: those of the
 * alerts whose announcement failed (their redelivery finds the alerts still pending and announces them).
 * A failed mark only logs: the alerts are announced, and a later announcement of the same response is
 * recorded once by the alert function.
 */
const announce = async (due: DueAlert[], items: readonly Item[], deps: AggregateDeps): Promise<string[]> => {
  if (due.length === 0 || !deps.publisher) return [];
  try {
    await deps.publisher.publish(
      due.map((alert) => ({ source: AGGREGATE_SOURCE, detailType: ALERT_RAISED, detail: alert.response })),
    );
  } catch (error) {
    const keys = new Set(due.map((alert) => alert.key));
    const records = items.filter((i) => keys.has(entityKey(i.event))).map((i) => i.record.messageId);
    deps.logger.error('alerts not announced; their records will be retried', { alerts: due.length, error });
    return records;
  }
  try {
    await markAlertsAnnounced(
      due.map((alert) => alert.key),
      { store: deps.store, model: metricModel, ctx: deps.ctx },
    );
  } catch (error) {
    deps.logger.warn('alerts announced but not marked; a later delivery may announce them again', {
      alerts: due.length,
      error,
    });
  }
  return [];
};
