import {
  CANONICAL_EVENTS_PATH,
  checkForBus,
  MAX_BODY_BYTES,
  MAX_CANONICAL_EVENTS_PER_REQUEST,
  publishCanonical,
} from '@flash/app';
import { fetchWithRetry } from '@flash/connectors';
import type { CanonicalEvent, EventPublisher } from '@flash/core';

/**
 * Where history (a backfill, an import) delivers its canonical events: the pipeline's `POST /v1/events` over
 * HTTP (the local stack, or a deployment from a laptop), or, inside AWS, the event bus itself. Either way each
 * event passes the ingest gate, so a backfilled event and a live webhook's are the same to the engine.
 * `deliver` resolves once every event is accepted (on the bus), and throws otherwise: nothing is skipped.
 */
export interface EventSink {
  deliver(events: readonly CanonicalEvent[]): Promise<void>;
}

/** The pipeline refused events (a 4xx other than 429): retrying would not help; the message is the server's. */
export class DeliveryRefusedError extends Error {}

export interface HttpSinkOptions {
  /** The pipeline's base URL, e.g. http://localhost:3000. */
  target: string;
  /** The API token (`API_TOKEN`), when the pipeline requires one. */
  token?: string | undefined;
  /** Attempts per request for 429, 5xx and network errors before giving up. */
  attempts?: number;
  baseDelayMs?: number;
  fetch?: typeof fetch;
}

/**
 * Requests that each fit `POST /v1/events`: at most MAX_CANONICAL_EVENTS_PER_REQUEST events and, with the
 * `{"events":[…]}` envelope, at most MAX_BODY_BYTES. An event that alone exceeds a request is left to the
 * server to refuse by name (the gate's 256 KB bus-entry limit is far below a request).
 */
export const requestBodies = (events: readonly CanonicalEvent[]): string[] => {
  const bodies: string[] = [];
  let parts: string[] = [];
  let bytes = 0;
  const envelope = Buffer.byteLength('{"events":[]}');
  const flush = () => {
    if (parts.length > 0) bodies.push(`{"events":[${parts.join(',')}]}`);
    parts = [];
    bytes = envelope;
  };
  flush();
  for (const event of events) {
    const part = JSON.stringify(event);
    const size = Buffer.byteLength(part) + (parts.length > 0 ? 1 : 0);
    if (parts.length >= MAX_CANONICAL_EVENTS_PER_REQUEST || (parts.length > 0 && bytes + size > MAX_BODY_BYTES))
      flush();
    parts.push(part);
    bytes += Buffer.byteLength(part) + (parts.length > 1 ? 1 : 0);
  }
  flush();
  return bodies;
};

/**
 * Marks events as history (`history: true`): the engine then raises no alert for an old detractor they
 * bring (HISTORY_ALERT_WINDOW_MS). Every event a sink delivers is history, whichever sink.
 */
export const asHistory = (events: readonly CanonicalEvent[]): CanonicalEvent[] =>
  events.map((event) => ({ ...event, history: true }));

/** Delivers over HTTP to `POST /v1/events`, retrying 429, 5xx and network errors (Retry-After, else backoff). */
export const httpSink = ({
  target,
  token,
  attempts = 6,
  baseDelayMs = 250,
  fetch: fetchImpl = fetch,
}: HttpSinkOptions): EventSink => {
  const url = new URL(CANONICAL_EVENTS_PATH, target).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const post = async (body: string): Promise<void> => {
    const answer = await fetchWithRetry(
      url,
      { method: 'POST', headers, body },
      { attempts, baseDelayMs, fetch: fetchImpl },
    );
    if (answer.status !== 202)
      throw new DeliveryRefusedError(
        `${url} answered ${answer.status}: ${errorMessage(answer.text) ?? `HTTP ${answer.status}`}`,
      );
  };
  return {
    async deliver(events) {
      for (const body of requestBodies(asHistory(events))) await post(body);
    },
  };
};

const errorMessage = (text: string): string | undefined => {
  try {
    const { error } = JSON.parse(text) as { error?: unknown };
    return typeof error === 'string' ? error : undefined;
  } catch {
    return text.slice(0, 200) || undefined;
  }
};

/** Delivers straight onto the bus (the backfill function on AWS), through the same gate as the ingest route. */
export const busSink = (publisher: EventPublisher): EventSink => ({
  deliver: (events) => publishCanonical(publisher, checkForBus(asHistory(events))),
});
