import { type AwsJsonClient, awsJsonClient, EVENTBRIDGE } from '@flash/aws';
import { backoffMs, type EventPublisher, sleep, UnavailableError } from '@flash/core';

/** The bus did not take every entry after retries: the delivery is refused (503) and its sender retries. */
export class BusUnavailableError extends UnavailableError {}

/** One event as PutEvents takes it. */
export interface PutEventsEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  /** The event's detail, as a JSON string. */
  Detail: string;
}

/** PutEvents' answer: one result per entry sent, in order; an entry the bus did not take has an ErrorCode. */
export interface PutEventsAnswer {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

const PUT_EVENTS_LIMIT = 10;

/**
 * EventBridge publisher: PutEvents in groups of 10; entries that fail are retried on their own, with
 * backoff, and if some still fail the whole delivery is refused so the sender retries it.
 */
export const eventBridgePublisher = (
  busName: string,
  client: AwsJsonClient = awsJsonClient(EVENTBRIDGE),
  { attempts = 4, baseDelayMs = 50 } = {},
): EventPublisher => ({
  async publish(entries) {
    let pending: PutEventsEntry[] = entries.map((e) => ({
      EventBusName: busName,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failed: PutEventsEntry[] = [];
      let lastError = '';
      for (let i = 0; i < pending.length; i += PUT_EVENTS_LIMIT) {
        const group = pending.slice(i, i + PUT_EVENTS_LIMIT);
        try {
          const result = await client<PutEventsAnswer>('PutEvents', { Entries: group });
          result.Entries?.forEach((entry, index) => {
            if (entry.ErrorCode) {
              failed.push(group[index] as PutEventsEntry);
              lastError = `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`;
            }
          });
        } catch (error) {
          failed.push(...group);
          lastError = (error as Error).message;
        }
      }
      pending = failed;
      if (pending.length === 0) return;
      if (attempt >= attempts) {
        throw new BusUnavailableError(
          `${pending.length} of ${entries.length} events not accepted by the bus (${lastError})`,
        );
      }
      await sleep(backoffMs(attempt, baseDelayMs));
    }
  },
});
