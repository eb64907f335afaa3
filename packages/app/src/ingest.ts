import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Connector, parseJson, parseWith, SignatureError } from '@flash/connectors';
import {
  builtOnce,
  type CanonicalEvent,
  CoreError,
  checkCanonicalEvent,
  detailTypeOf,
  type EventPublisher,
  INGEST_SOURCE,
  InvalidValueError,
  LIMITS,
  type MetricContext,
  RetryableError,
  type SecretProvider,
} from '@flash/core';
import * as z from 'zod';
import { bearerRefusal } from './bearer.js';
import {
  type HttpEvent,
  type HttpResult,
  header,
  json,
  lowerCaseHeaders,
  problem,
  publicUrl,
  rawBody,
} from './http.js';
import { CANONICAL_EVENTS_PATH } from './paths.js';

/** Bodies above this are refused before any parsing (contract: 413 over 1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How many canonical events one `POST /v1/events` may carry: the generic source's limit, so a history client
 * (backfill, import) sends what a generic sender may.
 */
export const MAX_CANONICAL_EVENTS_PER_REQUEST = 1000;

/** EventBridge refuses an entry (source, detail type and detail, UTF-8) over 256 KB. */
export const MAX_BUS_ENTRY_BYTES = 256 * 1024;

/**
 * The delivery's correlation id: the sender's `X-Request-Id` when it is short printable ASCII, else its hash
 * (a header is the client's to choose; the events that carry it must stay within their limits).
 */
export const deliveryIdOf = (requestId: string | undefined, fallback: string): string => {
  if (requestId === undefined || requestId === '') return fallback;
  if (requestId.length <= LIMITS.deliveryId && /^[\x21-\x7e]+$/.test(requestId)) return requestId;
  return `sha256:${createHash('sha256').update(requestId).digest('hex')}`;
};

/**
 * The one gate in front of the bus, for connectors and history clients alike: each event exactly as the bus
 * will carry it (a JSON round trip) must pass the schema the aggregator parses with, and fit in a bus entry.
 * So 202 means every event will apply; anything else is an InvalidValueError (a 400) naming the event and
 * the field.
 */
export const checkForBus = (candidates: readonly unknown[]): CanonicalEvent[] =>
  candidates.map((candidate, index) => {
    try {
      return checkEventForBus(candidate);
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      const { entity, id } = (candidate ?? {}) as { entity?: unknown; id?: unknown };
      const where = `event ${index}${typeof entity === 'string' ? ` (${entity} ${JSON.stringify(id)})` : ''}`;
      throw new InvalidValueError(`${where}: ${error.message}`);
    }
  });

/** The gate for one event: the event as the bus carries it, or an InvalidValueError naming the field. */
export const checkEventForBus = (candidate: unknown): CanonicalEvent => {
  const { event, problem } = checkCanonicalEvent(JSON.parse(JSON.stringify(candidate ?? null)));
  if (!event) throw new InvalidValueError(problem);
  const bytes = Buffer.byteLength(JSON.stringify(event)) + INGEST_SOURCE.length + detailTypeOf(event.entity).length;
  if (bytes > MAX_BUS_ENTRY_BYTES)
    throw new InvalidValueError(`${bytes} bytes; an event may hold at most ${MAX_BUS_ENTRY_BYTES}`);
  return event;
};

/** Puts checked events on the bus, each as the entry the aggregate rule routes. */
export const publishCanonical = (publisher: EventPublisher, events: readonly CanonicalEvent[]): Promise<void> =>
  publisher.publish(events.map((e) => ({ source: INGEST_SOURCE, detailType: detailTypeOf(e.entity), detail: e })));

const canonicalBody = builtOnce(() =>
  z.object({ events: z.array(z.unknown()).min(1).max(MAX_CANONICAL_EVENTS_PER_REQUEST) }).strict(),
);

export interface IngestDeps {
  connectorFor: (source: string) => Connector | undefined;
  secrets: SecretProvider;
  publisher: EventPublisher;
  logger: Logger;
  ctx: MetricContext;
  now: () => Date;
  /** Public base URL behind a proxy, for signatures that cover the URL (HubSpot). */
  publicBaseUrl?: string;
  /** Connector settings by variable name (HUBSPOT_WON_STAGES, …); usually the environment. */
  settings?: Readonly<Record<string, string | undefined>>;
  /**
   * Locally, the token `POST /v1/events` requires, and the read-only token it refuses with 403 (on AWS the
   * authorizer checks them in front and says which one it saw).
   */
  apiToken?: string | undefined;
  readApiToken?: string | undefined;
}

/**
 * The ingest function's two routes: provider webhooks (`POST /webhooks/{source}`) and canonical events from
 * history clients (`POST /v1/events`, behind the API token).
 */
export const makeIngestHandler = (deps: IngestDeps) => {
  const webhook = makeWebhookHandler(deps);
  return (event: HttpEvent): Promise<HttpResult> =>
    event.routeKey === `POST ${CANONICAL_EVENTS_PATH}` ? acceptCanonicalEvents(deps, event) : webhook(event);
};

/**
 * POST /v1/events: canonical events as a backfill or an import built them, through the same gate as a
 * webhook's, answered 202 once every one is on the bus. The bus and the engine cannot tell them from live
 * events, so history overlapping live deliveries changes nothing: versions decide.
 */
const acceptCanonicalEvents = async (deps: IngestDeps, event: HttpEvent): Promise<HttpResult> => {
  // On AWS a read-only or personal scope (a cached authorizer answer given for a GET) is refused with 403.
  const refused = bearerRefusal(event, { full: deps.apiToken, read: deps.readApiToken });
  if (refused) return refused;
  const deliveryId = deliveryIdOf(header(event, 'x-request-id'), event.requestContext.requestId);
  const logger = deps.logger.createChild({ persistentKeys: { source: 'history', deliveryId } });
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) return problem(413, `body is ${body.length} bytes; the limit is ${MAX_BODY_BYTES}`);
  try {
    const events = checkForBus(parseWith(canonicalBody(), parseJson(body)).events);
    await publishCanonical(deps.publisher, events);
    logger.info('history events accepted', { accepted: events.length });
    return json(202, { accepted: events.length, ignored: 0 });
  } catch (error) {
    if (error instanceof RetryableError) {
      logger.error('history events not accepted: bus unavailable', { error });
      return problem(503, 'the event bus did not accept the delivery; retry later', { 'retry-after': '5' });
    }
    // The body's PayloadError, the gate's InvalidValueError.
    if (error instanceof CoreError) {
      logger.warn('history events refused', { reason: error.message });
      return problem(400, error.message);
    }
    throw error;
  }
};

/**
 * POST /webhooks/{source}: verify the signature on the raw bytes, parse with the source's connector, and
 * answer 202 only once every canonical event is on the bus. Bad input is always a 4xx, never a 5xx.
 */
const makeWebhookHandler =
  (deps: IngestDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const source = event.pathParameters?.source ?? '';
    const deliveryId = deliveryIdOf(header(event, 'x-request-id'), event.requestContext.requestId);
    const logger = deps.logger.createChild({ persistentKeys: { source, deliveryId } });

    const connector = deps.connectorFor(source);
    if (!connector) return problem(404, `unknown source "${source}"`);
    const body = rawBody(event);
    if (body.length > MAX_BODY_BYTES)
      return problem(413, `body is ${body.length} bytes; the limit is ${MAX_BODY_BYTES}`);
    let secret: string | undefined;
    try {
      secret = await deps.secrets.get(connector.secretVariable);
    } catch (error) {
      logger.error('webhook not accepted: signing secrets unavailable', { error });
      return problem(503, 'the signing secrets could not be read; retry later', { 'retry-after': '5' });
    }
    if (!secret) {
      logger.warn('webhook refused: source not configured', { variable: connector.secretVariable });
      return problem(503, `source "${source}" is not configured: set ${connector.secretVariable}`);
    }

    const now = deps.now();
    const request = {
      method: event.requestContext.http.method,
      url: publicUrl(event, deps.publicBaseUrl),
      headers: lowerCaseHeaders(event),
      body,
    };
    try {
      connector.verify(request, secret, now, deps.settings ?? {});
      const parsed = connector.parse(request, {
        receivedAt: now,
        deliveryId,
        timeZone: deps.ctx.timeZone,
        baseCurrency: deps.ctx.baseCurrency,
        settings: deps.settings ?? {},
      });
      const events = checkForBus(parsed.events);
      const { ignored } = parsed;
      await publishCanonical(deps.publisher, events);
      logger.info('webhook accepted', { accepted: events.length, ignored });
      return json(202, { accepted: events.length, ignored });
    } catch (error) {
      if (error instanceof SignatureError) {
        logger.warn('webhook refused: signature', { reason: error.message });
        return problem(401, error.message);
      }
      // Before CoreError: a dependency that did not answer (the bus) is the core's RetryableError, not the
      // sender's fault.
      if (error instanceof RetryableError) {
        logger.error('webhook not accepted: bus unavailable', { error });
        return problem(503, 'the event bus did not accept the delivery; retry later', { 'retry-after': '5' });
      }
      // A connector's PayloadError, the gate's InvalidValueError: the body is not what the source sends.
      if (error instanceof CoreError) {
        logger.warn('webhook refused: payload', { reason: error.message });
        return problem(400, error.message);
      }
      throw error;
    }
  };
