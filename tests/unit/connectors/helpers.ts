import { createHash, createHmac } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { type HttpEvent, type HttpResult, makeIngestHandler } from '@flash/app';
import {
  type Connector,
  connectorFor,
  type ParseContext,
  SignatureError,
  type WebhookRequest,
} from '@flash/connectors';
import type { BusEntry, EventPublisher } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { compactFixture, fixtureText, type SignatureVector, signatureVectors } from '../../support/fixtures.js';
import { apiEvent } from '../../support/gateway.js';

export const silentLogger = () => new Logger({ serviceName: 'connector-tests', logLevel: 'SILENT' });

export const parseContext = (settings: Record<string, string> = {}): ParseContext => ({
  receivedAt: new Date('2026-03-20T12:00:00Z'),
  deliveryId: 'delivery-1',
  timeZone: 'Europe/Oslo',
  baseCurrency: 'EUR',
  settings,
});

export const connector = (source: string): Connector => {
  const found = connectorFor(source);
  if (!found) throw new Error(`no connector ${source}`);
  return found;
};

export const webhookRequest = (
  body: Buffer | string,
  headers: Record<string, string> = {},
  url = '',
): WebhookRequest => ({
  method: 'POST',
  url,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
});

/** Parses a fixture file exactly as stored. */
export const parseFixture = (source: string, fixture: string, settings: Record<string, string> = {}) =>
  connector(source).parse(webhookRequest(fixtureText(fixture)), parseContext(settings));

/** A fixture as an object, to derive variants from (never written back). */
export const fixtureJson = (fixture: string): Record<string, unknown> =>
  JSON.parse(fixtureText(fixture)) as Record<string, unknown>;

/** The test's own signing, with node:crypto, independent of the connectors' code. */
export const SECRETS: Record<string, string> = {
  WEBHOOK_SECRET_STRIPE: 'whsec_test_secret',
  WEBHOOK_SECRET_HUBSPOT: 'hs_test_secret',
  PIPEDRIVE_BASIC_AUTH: 'hook-user:hook-pass',
  WEBHOOK_SECRET_TYPEFORM: 'tf_test_secret',
  WEBHOOK_SECRET_DELIGHTED: 'dl_test_secret',
  WEBHOOK_SECRET_GENERIC: 'generic_test_secret',
};

export const NOW = new Date('2026-03-20T12:00:00Z');
export const HOST = 'hooks.example.com';

const hmacOf = (alg: 'sha256', key: string, data: Buffer, enc: 'hex' | 'base64') =>
  createHmac(alg, key).update(data).digest(enc);

/** Headers a provider would send for `body` at `now`, with the secrets above. */
export const signedHeaders = (
  source: string,
  body: Buffer,
  { now = NOW, url = `https://${HOST}/webhooks/${source}` } = {},
): Record<string, string> => {
  switch (source) {
    case 'stripe': {
      const t = Math.floor(now.getTime() / 1000);
      const data = Buffer.concat([Buffer.from(`${t}.`), body]);
      return { 'stripe-signature': `t=${t},v1=${hmacOf('sha256', SECRETS.WEBHOOK_SECRET_STRIPE ?? '', data, 'hex')}` };
    }
    case 'hubspot': {
      const ts = String(now.getTime());
      const data = Buffer.concat([Buffer.from(`POST${url}`), body, Buffer.from(ts)]);
      return {
        'x-hubspot-signature-v3': hmacOf('sha256', SECRETS.WEBHOOK_SECRET_HUBSPOT ?? '', data, 'base64'),
        'x-hubspot-request-timestamp': ts,
      };
    }
    case 'pipedrive':
      return { authorization: `Basic ${Buffer.from(SECRETS.PIPEDRIVE_BASIC_AUTH ?? '').toString('base64')}` };
    case 'typeform':
      return {
        'typeform-signature': `sha256=${hmacOf('sha256', SECRETS.WEBHOOK_SECRET_TYPEFORM ?? '', body, 'base64')}`,
      };
    case 'delighted':
      return {
        'x-delighted-webhook-signature': `sha256=${hmacOf('sha256', SECRETS.WEBHOOK_SECRET_DELIGHTED ?? '', body, 'hex')}`,
      };
    case 'generic':
      return { 'x-signature': `sha256=${hmacOf('sha256', SECRETS.WEBHOOK_SECRET_GENERIC ?? '', body, 'hex')}` };
    default:
      throw new Error(`no signing for ${source}`);
  }
};

export const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');

/** An API Gateway HTTP API (payload 2.0) event for POST /webhooks/{source}, as the Lambda receives it. */
export const httpEvent = (
  source: string,
  body: Buffer,
  headers: Record<string, string>,
  { query = '', host = HOST } = {},
): HttpEvent =>
  apiEvent({
    method: 'POST',
    path: `/webhooks/${source}`,
    query,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    routeKey: 'POST /webhooks/{source}',
    pathParameters: { source },
    host,
    at: NOW,
  });

/** A publisher that keeps what it is given, or fails like an unavailable bus. */
export const memoryPublisher = (fail?: () => Error) => {
  const published: BusEntry[] = [];
  const publisher: EventPublisher = {
    async publish(entries) {
      if (fail) throw fail();
      published.push(...entries);
    },
  };
  return { publisher, published };
};

export const ingestHandler = ({
  secrets = SECRETS,
  publisher = memoryPublisher().publisher,
  now = NOW,
  settings = {},
}: {
  secrets?: Record<string, string>;
  publisher?: EventPublisher;
  now?: Date;
  settings?: Record<string, string>;
} = {}) =>
  makeIngestHandler({
    connectorFor,
    secrets: { get: async (name) => secrets[name] },
    publisher,
    logger: silentLogger(),
    ctx: { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' },
    now: () => now,
    settings,
  });

export const jsonBody = (result: HttpResult): Record<string, unknown> =>
  JSON.parse(String(result.body)) as Record<string, unknown>;

/** Posts a correctly signed body to the real ingest handler. */
export const postSigned = async (
  source: string,
  body: Buffer | string,
  options: Parameters<typeof ingestHandler>[0] = {},
): Promise<HttpResult> => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return ingestHandler(options)(httpEvent(source, bytes, signedHeaders(source, bytes, { now: options.now })));
};

/** A signature vector of signature-vectors.json as the connector sees it. */
export const vectorCase = (v: SignatureVector) => {
  const { inputs } = v;
  const body = Buffer.from(inputs.body ?? compactFixture(v.fixture ?? ''), 'utf8');
  const secret =
    v.provider === 'pipedrive'
      ? `${inputs.http_auth_user}:${inputs.http_auth_password}`
      : (inputs.clientSecret ?? inputs.endpointSecret ?? inputs.secret ?? inputs.apiKey ?? '');
  const now = inputs.t
    ? new Date(Number(inputs.t) * 1000)
    : inputs.timestamp
      ? new Date(Number(inputs.timestamp))
      : NOW;
  const signatureHeader = Object.keys(v.headers).find((h) => /signature(-v3)?$|^authorization$/i.test(h)) ?? '';
  const request = (body_: Buffer, headers: Record<string, string>): WebhookRequest => ({
    ...webhookRequest(body_, headers, inputs.uri ?? ''),
    method: inputs.method ?? 'POST',
  });
  return { body, secret, now, signatureHeader, request };
};

/** The same text with the character in the middle replaced. */
export const flipMiddle = (text: string): string => {
  const i = Math.floor(text.length / 2);
  return `${text.slice(0, i)}${text[i] === 'A' ? 'B' : 'A'}${text.slice(i + 1)}`;
};

/** The same bytes with one bit flipped in the middle. */
export const flipByte = (body: Buffer): Buffer => {
  const copy = Buffer.from(body);
  const i = Math.floor(copy.length / 2);
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
};

/**
 * Registers: every vector of `provider` verifies; one flipped byte in the body or the signature fails.
 * `signsBody: false` is for HTTP Basic (Pipedrive): the body is not covered, and the test says so.
 */
export const signatureVectorSuite = (provider: string, { signsBody = true } = {}) => {
  const vectors = signatureVectors().filter((v) => v.provider === provider);
  it('has signature vectors to check', () => expect(vectors.length).toBeGreaterThan(0));
  describe.each(vectors.map((v) => [v.name, v] as const))('vector %s', (_name, vector) => {
    const c = connector(provider);
    const { body, secret, now, signatureHeader, request } = vectorCase(vector);
    it('verifies', () => {
      expect(() => c.verify(request(body, vector.headers), secret, now)).not.toThrow();
    });
    if (signsBody) {
      it('fails with one flipped byte in the body', () => {
        expect(() => c.verify(request(flipByte(body), vector.headers), secret, now)).toThrow(SignatureError);
      });
    } else {
      it('does not cover the body (credentials only)', () => {
        expect(() => c.verify(request(flipByte(body), vector.headers), secret, now)).not.toThrow();
      });
    }
    it('fails with one flipped character in the signature', () => {
      const headers = { ...vector.headers, [signatureHeader]: flipMiddle(vector.headers[signatureHeader] ?? '') };
      expect(() => c.verify(request(body, headers), secret, now)).toThrow(SignatureError);
    });
    it('fails with another secret', () => {
      expect(() => c.verify(request(body, vector.headers), `${secret}x`, now)).toThrow(SignatureError);
    });
  });
};
