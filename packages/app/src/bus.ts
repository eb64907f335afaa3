import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { backoffMs, type EventPublisher, sleep, UnavailableError } from '@flash/core';

/** The bus did not take every entry after retries: the delivery is refused (503) and its sender retries. */
export class BusUnavailableError extends UnavailableError {}

const PUT_EVENTS_LIMIT = 10;

/**
 * EventBridge publisher: PutEvents in groups of 10; entries that fail are retried on their own, with
 * backoff, and if some still fail the whole delivery is refused so the sender retries it.
 */
export const eventBridgePublisher = (
  busName: string,
  client = new EventBridgeClient({}),
  { attempts = 4, baseDelayMs = 50 } = {},
): EventPublisher => ({
  async publish(entries) {
    let pending: PutEventsRequestEntry[] = entries.map((e) => ({
      EventBusName: busName,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const failed: PutEventsRequestEntry[] = [];
      let lastError = '';
      for (let i = 0; i < pending.length; i += PUT_EVENTS_LIMIT) {
        const group = pending.slice(i, i + PUT_EVENTS_LIMIT);
        try {
          const result = await client.send(new PutEventsCommand({ Entries: group }));
          result.Entries?.forEach((entry, index) => {
            if (entry.ErrorCode) {
              failed.push(group[index] as PutEventsRequestEntry);
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
