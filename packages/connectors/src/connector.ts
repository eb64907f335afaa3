import type { CanonicalEvent } from '@flash/core';

/** A webhook delivery exactly as received: raw bytes, lower-cased header names, the public URL. */
export interface WebhookRequest {
  method: string;
  /** The full public URL the provider called (scheme, host, path and query). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

export interface ParseContext {
  /** When the delivery was received; the fallback for providers that send no event time. */
  receivedAt: Date;
  /** Correlation id of the delivery, copied onto every event it carries. */
  deliveryId: string;
  timeZone: string;
  /** Currency assumed when an event leaves it out (generic events, HubSpot deals without a deal currency). */
  baseCurrency: string;
  /** Connector settings by variable name (HUBSPOT_WON_STAGES, …): the environment locally and on AWS. */
  settings: Readonly<Record<string, string | undefined>>;
}

export interface ParseResult {
  events: CanonicalEvent[];
  /** Well-formed events of a kind the pipeline does not use (counted, answered 202). */
  ignored: number;
}

export interface Connector {
  source: string;
  /** The configuration variable (or secret name) holding this source's signing secret. */
  secretVariable: string;
  /**
   * Throws SignatureError unless the raw request carries a valid signature for `secret`. `settings` are the
   * connector settings (as in ParseContext), for opt-ins such as HUBSPOT_ACCEPT_LEGACY_SIGNATURES.
   */
  verify(
    request: WebhookRequest,
    secret: string,
    now: Date,
    settings?: Readonly<Record<string, string | undefined>>,
  ): void;
  /** Throws PayloadError naming the problem unless the body is what the source sends. */
  parse(request: WebhookRequest, ctx: ParseContext): ParseResult;
}
