import { BusUnavailableError, makeIngestHandler } from '@flash/app';
import { connectorFor, connectors } from '@flash/connectors';
import { describe, expect, it } from 'vitest';
import { compactFixture, signatureVectors } from '../../support/fixtures.js';
import {
  HOST,
  httpEvent,
  ingestHandler,
  jsonBody,
  memoryPublisher,
  NOW,
  postSigned,
  SECRETS,
  signedHeaders,
  silentLogger,
} from './helpers.js';

const FIXTURES: Record<string, string> = {
  stripe: 'stripe/invoice.paid.json',
  hubspot: 'hubspot/deal.propertyChange.batch.json',
  pipedrive: 'pipedrive/change.deal.json',
  typeform: 'typeform/form_response.nps.json',
  delighted: 'delighted/survey_response.updated.json',
};

/** A copy of `value` with the field at `path` replaced. */
const withValue = (value: unknown, path: readonly (string | number)[], replacement: unknown): unknown => {
  const [key, ...rest] = path;
  if (key === undefined) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[key] = withValue(copy[key], rest, replacement);
  return copy;
};

describe('webhook ingress refusals', () => {
  it('accepts a well-signed fixture of every source and puts its events on the bus', async () => {
    for (const [source, fixture] of Object.entries(FIXTURES)) {
      const { publisher, published } = memoryPublisher();
      const result = await postSigned(source, compactFixture(fixture), { publisher });
      expect(result.statusCode, source).toBe(202);
      expect(jsonBody(result).accepted, source).toBe(published.length);
      expect(published.length, source).toBeGreaterThan(0);
    }
  });

  describe('401', () => {
    it('refuses a Stripe signature whose timestamp is more than 300 s old', async () => {
      const body = Buffer.from(compactFixture('stripe/invoice.paid.json'));
      const headers = signedHeaders('stripe', body, { now: new Date(NOW.getTime() - 301_000) });
      const result = await ingestHandler()(httpEvent('stripe', body, headers));
      expect(result.statusCode).toBe(401);
      expect(jsonBody(result).error).toMatch(/Stripe-Signature t is 301 s old/);
    });

    it('refuses a HubSpot signature whose timestamp is more than 5 minutes old', async () => {
      const body = Buffer.from(compactFixture('hubspot/deal.creation.json'));
      const headers = signedHeaders('hubspot', body, { now: new Date(NOW.getTime() - 300_001) });
      const result = await ingestHandler()(httpEvent('hubspot', body, headers));
      expect(result.statusCode).toBe(401);
      expect(jsonBody(result).error).toMatch(/X-HubSpot-Request-Timestamp/);
    });

    it('refuses a HubSpot signature computed for another URL', async () => {
      const body = Buffer.from(compactFixture('hubspot/deal.creation.json'));
      const headers = signedHeaders('hubspot', body, { url: 'https://attacker.example/webhooks/hubspot' });
      const result = await ingestHandler()(httpEvent('hubspot', body, headers));
      expect(result.statusCode).toBe(401);
    });

    it('checks the HubSpot vector against the URL the gateway received, never one a client names', async () => {
      const vector = signatureVectors().find((v) => v.name === 'hubspot-v3-fixture');
      if (!vector?.fixture) throw new Error('vector hubspot-v3-fixture is missing');
      const body = Buffer.from(compactFixture(vector.fixture));
      const handler = ingestHandler({
        secrets: { WEBHOOK_SECRET_HUBSPOT: vector.inputs.clientSecret ?? '' },
        now: new Date(Number(vector.inputs.timestamp)),
      });
      expect((await handler(httpEvent('hubspot', body, vector.headers, { query: 'tenant=acme' }))).statusCode).toBe(
        202,
      );
      const redirected = httpEvent('hubspot', body, vector.headers, {
        query: 'tenant=acme',
        host: 'internal-alb.local',
      });
      redirected.headers['x-forwarded-host'] = HOST;
      expect((await handler(redirected)).statusCode).toBe(401);
    });

    it('refuses wrong Pipedrive credentials and a missing signature', async () => {
      const body = Buffer.from(compactFixture('pipedrive/change.deal.json'));
      const wrong = { authorization: `Basic ${Buffer.from('hook-user:guess').toString('base64')}` };
      expect((await ingestHandler()(httpEvent('pipedrive', body, wrong))).statusCode).toBe(401);
      expect((await ingestHandler()(httpEvent('typeform', body, {}))).statusCode).toBe(401);
    });
  });

  describe('400', () => {
    it.each(Object.entries(FIXTURES))(
      'refuses a %s body cut in half, saying it is not JSON',
      async (source, fixture) => {
        const text = compactFixture(fixture);
        const result = await postSigned(source, text.slice(0, Math.floor(text.length / 2)));
        expect(result.statusCode).toBe(400);
        expect(jsonBody(result).error).toMatch(/^body is not valid JSON/);
      },
    );

    it.each([
      ['stripe', 'stripe/invoice.paid.json', ['data', 'object', 'total'], '49000', /^data\.object\.total: /],
      ['hubspot', 'hubspot/deal.creation.json', [0, 'objectId'], true, /^\[0\]\.objectId: /],
      ['pipedrive', 'pipedrive/change.deal.json', ['meta', 'entity_id'], [], /^meta\.entity_id: /],
      ['typeform', 'typeform/form_response.nps.json', ['form_response', 'token'], 7, /^form_response\.token: /],
      ['delighted', 'delighted/survey_response.updated.json', ['event_data', 'score'], '6', /^event_data\.score: /],
    ] as const)(
      'refuses a %s body with a wrongly typed required field, naming it',
      async (source, fixture, path, value, named) => {
        const result = await postSigned(
          source,
          JSON.stringify(withValue(JSON.parse(compactFixture(fixture)), path, value)),
        );
        expect(result.statusCode).toBe(400);
        expect(jsonBody(result).error).toMatch(named);
      },
    );

    it.each([
      [
        'hubspot',
        100,
        (n: number) => Array.from({ length: n }, () => JSON.parse(compactFixture('hubspot/deal.creation.json'))[0]),
      ],
      [
        'generic',
        1000,
        (n: number) => ({
          events: Array.from({ length: n }, (_, i) => ({ type: 'customer', id: `C${i}`, version: 1 })),
        }),
      ],
    ] as const)(
      'refuses a %s delivery of more events than the source sends (%i), unparsed',
      async (source, cap, body) => {
        const { publisher, published } = memoryPublisher();
        expect((await postSigned(source, JSON.stringify(body(cap)), { publisher })).statusCode).toBe(202);
        const result = await postSigned(source, JSON.stringify(body(cap + 1)), { publisher });
        expect(result.statusCode).toBe(400);
        expect(jsonBody(result).error).toMatch(new RegExp(`${cap}`));
        expect(published).toHaveLength(cap);
      },
    );
  });

  it('refuses a 2 MiB body with 413 before looking at it', async () => {
    const result = await postSigned('stripe', Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(result.statusCode).toBe(413);
  });

  it('answers 404 for an unknown source', async () => {
    const result = await ingestHandler()(httpEvent('quickbooks', Buffer.from('[]'), {}));
    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).error).toBe('unknown source "quickbooks"');
  });

  it.each(Object.values(connectors).map((c) => [c.source, c.secretVariable]))(
    'answers 503 naming the variable when %s is not configured',
    async (source, variable) => {
      const result = await ingestHandler({ secrets: {} })(httpEvent(source, Buffer.from('{}'), {}));
      expect(result.statusCode).toBe(503);
      expect(jsonBody(result).error).toBe(`source "${source}" is not configured: set ${variable}`);
    },
  );

  it('registers the six sources with the contract variables', () => {
    expect(Object.fromEntries(Object.values(connectors).map((c) => [c.source, c.secretVariable]))).toEqual({
      stripe: 'WEBHOOK_SECRET_STRIPE',
      hubspot: 'WEBHOOK_SECRET_HUBSPOT',
      pipedrive: 'PIPEDRIVE_BASIC_AUTH',
      typeform: 'WEBHOOK_SECRET_TYPEFORM',
      delighted: 'WEBHOOK_SECRET_DELIGHTED',
      generic: 'WEBHOOK_SECRET_GENERIC',
    });
    expect(Object.keys(SECRETS).sort()).toEqual(
      Object.values(connectors)
        .map((c) => c.secretVariable)
        .sort(),
    );
  });

  it.each([
    ['stripe', { id: 'evt_1', type: 'customer.created', created: 1773835200, data: { object: { id: 'cus_1' } } }],
    ['hubspot', [{ subscriptionType: 'contact.creation', objectId: 1, occurredAt: 1773835200000 }]],
    ['pipedrive', { meta: { action: 'change', entity: 'person', entity_id: '9', timestamp: '2026-03-18T14:02:11Z' } }],
    ['typeform', { event_id: 'e1', event_type: 'form_response_partial' }],
    ['delighted', { event_type: 'unsubscribe.created', event_data: {} }],
  ])('answers 202 and counts a well-signed %s event of an unused type as ignored', async (source, body) => {
    const { publisher, published } = memoryPublisher();
    const result = await postSigned(source, JSON.stringify(body), { publisher });
    expect(result.statusCode).toBe(202);
    expect(jsonBody(result)).toEqual({ accepted: 0, ignored: 1 });
    expect(published).toEqual([]);
  });

  it('passes its settings to the connectors (HubSpot won stages)', async () => {
    const { publisher, published } = memoryPublisher();
    const batch = [
      {
        subscriptionType: 'deal.propertyChange',
        objectId: 1,
        occurredAt: NOW.getTime(),
        propertyName: 'dealstage',
        propertyValue: '1233582150',
      },
    ];
    await postSigned('hubspot', JSON.stringify(batch), { publisher, settings: { HUBSPOT_WON_STAGES: '1233582150' } });
    expect(published[0]?.detail).toMatchObject({ changes: { status: 'won' } });
  });

  it('answers 503 with Retry-After, never 500, when the signing secrets cannot be read', async () => {
    const handler = makeIngestHandler({
      connectorFor,
      secrets: {
        get: async () => {
          throw new Error('Secrets Manager: connect ETIMEDOUT');
        },
      },
      publisher: memoryPublisher().publisher,
      logger: silentLogger(),
      ctx: { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' },
      now: () => NOW,
    });
    const body = Buffer.from(compactFixture('stripe/invoice.paid.json'));
    const result = await handler(httpEvent('stripe', body, signedHeaders('stripe', body)));
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('5');
  });

  it('answers 503 with Retry-After when the bus does not take the events', async () => {
    const { publisher } = memoryPublisher(() => new BusUnavailableError('1 of 1 events not accepted'));
    const result = await postSigned('stripe', compactFixture('stripe/invoice.paid.json'), { publisher });
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('5');
  });
});
