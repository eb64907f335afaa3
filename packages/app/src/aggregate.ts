import type { Logger } from '@aws-lambda-powertools/logger';
import {
  applyEvents,
  type CanonicalEvent,
  type EntityStore,
  type MetricContext,
  metricModel,
  parseCanonicalEvent,
} from '@flash/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface AggregateDeps {
  store: EntityStore;
  ctx: MetricContext;
  now: () => Date;
  logger: Logger;
}

/**
 * SQS → aggregates. The whole batch is applied together so that deltas to the same aggregate are summed
 * and written once; this is why it does not hand records one by one to Powertools' BatchProcessor.
 * A record that is not a canonical event is reported as failed on its own (it ends in the DLQ after
 * maxReceiveCount); if the commit fails, every record of the batch is retried, which is safe because
 * applying a state twice changes nothing.
 */
export const makeAggregateHandler =
  (deps: AggregateDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const valid: { messageId: string; event: CanonicalEvent }[] = [];
    for (const record of event.Records) {
      try {
        const envelope = JSON.parse(record.body) as { detail?: unknown };
        valid.push({ messageId: record.messageId, event: parseCanonicalEvent(envelope.detail) });
      } catch (error) {
        deps.logger.error('poison message: not a canonical event', {
          messageId: record.messageId,
          reason: (error as Error).message,
        });
        failures.push(record.messageId);
      }
    }
    if (valid.length > 0) {
      try {
        const result = await applyEvents(
          valid.map((v) => v.event),
          { store: deps.store, model: metricModel, ctx: deps.ctx, now: deps.now },
        );
        deps.logger.info('batch applied', { records: event.Records.length, ...result });
      } catch (error) {
        deps.logger.error('batch not applied; will be retried', { error });
        failures.push(...valid.map((v) => v.messageId));
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
