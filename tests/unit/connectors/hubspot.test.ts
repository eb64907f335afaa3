import { createHash, createHmac } from 'node:crypto';
import { PayloadError, SignatureError } from '@flash/connectors';
import { applyEvent, type CanonicalEvent, checkCanonicalEvent, dealMoney, type EntityState } from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SignatureVector, signatureVectors } from '../../support/fixtures.js';
import {
  connector,
  flipByte,
  flipMiddle,
  httpEvent,
  ingestHandler,
  NOW,
  parseContext,
  parseFixture,
  SECRETS,
  sha256Hex,
  vectorCase,
  webhookRequest,
} from './helpers.js';
import { lengthExtension } from './sha256-length-extension.js';

const hubspot = connector('hubspot');
const parse = (batch: unknown, settings: Record<string, string> = {}) =>
  hubspot.parse(webhookRequest(JSON.stringify(batch)), parseContext(settings));

const DEAL = '267448862446';
const OTHER_DEAL = '267391045873';
/** Derived values (fallbacks) are patched this far before the event (see the connector). */
const FALLBACK = 1e13;

const change = (propertyName: string, propertyValue: string, occurredAt: number, objectId = 555) => ({
  subscriptionType: 'deal.propertyChange',
  objectId,
  occurredAt,
  propertyName,
  propertyValue,
});
const creation = (occurredAt: number, objectId = 555) => ({ subscriptionType: 'deal.creation', objectId, occurredAt });

const fold = (events: readonly CanonicalEvent[]): EntityState | undefined =>
  events.reduce<EntityState | undefined>((state, e) => applyEvent(state, e) ?? state, undefined);

const dealPatch = (id: string, at: number, occurredAt: string, changes: Record<string, unknown>) => ({
  entity: 'deal',
  source: 'hubspot',
  id,
  mode: 'patch',
  at,
  occurredAt,
  deliveryId: 'delivery-1',
  changes,
});

describe('hubspot connector', () => {
  describe('fixtures', () => {
    it('maps deal.creation to a fallback creation date', () => {
      expect(parseFixture('hubspot', 'hubspot/deal.creation.json')).toEqual({
        ignored: 0,
        events: [
          dealPatch(DEAL, 1773829200375 - FALLBACK, '2026-03-18T10:20:00.375Z', {
            createdAt: '2026-03-18T10:20:00.375Z',
          }),
        ],
      });
    });

    it('maps the mixed batch to one patch per change, closed stages with a fallback close date', () => {
      expect(parseFixture('hubspot', 'hubspot/deal.propertyChange.batch.json')).toEqual({
        ignored: 0,
        events: [
          dealPatch(DEAL, 1773829200375 - FALLBACK, '2026-03-18T10:20:00.375Z', {
            createdAt: '2026-03-18T10:20:00.375Z',
          }),
          dealPatch(DEAL, 1773829200375, '2026-03-18T10:20:00.375Z', { stage: 'appointmentscheduled', status: 'open' }),
          dealPatch(DEAL, 1773829200375 - FALLBACK, '2026-03-18T10:20:00.375Z', { closedAt: null }),
          dealPatch(DEAL, 1773833712904, '2026-03-18T11:35:12.904Z', { amount: null, amountDecimal: '24000' }),
          dealPatch(DEAL, 1773833712904 - FALLBACK, '2026-03-18T11:35:12.904Z', { currency: 'EUR' }),
          dealPatch(DEAL, 1773833712904, '2026-03-18T11:35:12.904Z', { currency: 'EUR' }),
          dealPatch(DEAL, 1773835108112, '2026-03-18T11:58:28.112Z', { stage: 'closedwon', status: 'won' }),
          dealPatch(DEAL, 1773835108112 - FALLBACK, '2026-03-18T11:58:28.112Z', {
            closedAt: '2026-03-18T11:58:28.112Z',
          }),
          dealPatch(OTHER_DEAL, 1773826420057, '2026-03-18T09:33:40.057Z', { stage: '1233582150', status: 'open' }),
          dealPatch(OTHER_DEAL, 1773826420057 - FALLBACK, '2026-03-18T09:33:40.057Z', { closedAt: null }),
        ],
      });
    });

    it('maps deal.deletion to a deleted patch', () => {
      expect(parseFixture('hubspot', 'hubspot/deal.deletion.json').events).toEqual([
        dealPatch(OTHER_DEAL, 1773921533688, '2026-03-19T11:58:53.688Z', { deleted: true }),
      ]);
    });

    it('maps the generic object.propertyChange form for objectTypeId 0-3', () => {
      expect(parseFixture('hubspot', 'hubspot/object.propertyChange.deal-generic.json').events).toEqual([
        dealPatch(DEAL, 1773835108112, '2026-03-18T11:58:28.112Z', { stage: 'closedwon', status: 'won' }),
        dealPatch(DEAL, 1773835108112 - FALLBACK, '2026-03-18T11:58:28.112Z', {
          closedAt: '2026-03-18T11:58:28.112Z',
        }),
      ]);
    });

    it('folds the batch to the same deal whatever order the patches arrive in', () => {
      const events = parseFixture('hubspot', 'hubspot/deal.propertyChange.batch.json').events.filter(
        (e) => e.id === DEAL,
      );
      fc.assert(
        fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (order) => {
          const deal = fold(order);
          expect(deal && deal.entity === 'deal' ? dealMoney(deal) : undefined).toEqual({
            minor: 2400000,
            currency: 'EUR',
          });
          expect(deal?.data).toEqual({
            title: null,
            customerId: null,
            ownerId: null,
            status: 'won',
            stage: 'closedwon',
            amount: null,
            amountDecimal: '24000',
            currency: 'EUR',
            createdAt: '2026-03-18T10:20:00.375Z',
            closedAt: '2026-03-18T11:58:28.112Z',
            expectedCloseDate: null,
            source: null,
            lostReason: null,
          });
        }),
      );
    });
  });

  describe('derived dates', () => {
    const t0 = Date.parse('2026-03-18T10:00:00Z');
    const orders = (events: CanonicalEvent[]) => [events, [...events].reverse()];

    it('lets a createdate property beat the creation event, even at the same instant', () => {
      const { events } = parse([creation(t0), change('createdate', String(Date.parse('2025-01-01T00:00:00Z')), t0)]);
      for (const order of orders(events)) {
        expect(fold(order)?.data).toMatchObject({ createdAt: '2025-01-01T00:00:00.000Z' });
      }
    });

    it('lets a closedate property beat the stage change, even when the property changed earlier', () => {
      const { events } = parse([
        change('closedate', String(Date.parse('2026-03-31T00:00:00Z')), t0),
        change('dealstage', 'closedwon', t0 + 60_000),
      ]);
      for (const order of orders(events)) {
        expect(fold(order)?.data).toMatchObject({ status: 'won', closedAt: '2026-03-31T00:00:00.000Z' });
      }
    });

    it('closes at the newest move into a closed stage when there is no closedate', () => {
      const { events } = parse([
        change('dealstage', 'closedlost', t0),
        change('dealstage', 'qualified', t0 + 1000),
        change('dealstage', 'closedwon', t0 + 2000),
      ]);
      for (const order of orders(events)) {
        expect(fold(order)?.data).toMatchObject({ status: 'won', closedAt: '2026-03-18T10:00:02.000Z' });
      }
    });

    it('takes closedate as the expected close date of an open deal', () => {
      const { events } = parse([
        change('dealstage', 'qualifiedtobuy', t0),
        change('closedate', String(Date.parse('2026-12-20T00:00:00Z')), t0 + 1000),
      ]);
      for (const order of orders(events)) {
        expect(fold(order)?.data).toMatchObject({ status: 'open', expectedCloseDate: '2026-12-20T00:00:00.000Z' });
      }
    });

    it('keeps the last known date when a date property is emptied', () => {
      expect(parse([change('closedate', '', t0)])).toEqual({ events: [], ignored: 1 });
    });
  });

  describe('amount and currency', () => {
    const t0 = Date.parse('2026-03-18T10:00:00Z');
    const money = (events: readonly CanonicalEvent[]) => {
      const deal = fold(events);
      return deal?.entity === 'deal' ? dealMoney(deal) : undefined;
    };
    /** Every order of some deliveries, each delivery's events kept together. */
    const orders = (...deliveries: CanonicalEvent[][]): CanonicalEvent[][] =>
      deliveries.length <= 1
        ? [deliveries.flat()]
        : deliveries.flatMap((d, i) => orders(...deliveries.filter((_, j) => j !== i)).map((rest) => [...d, ...rest]));

    it('sends the amount as the decimal it is, scaled by the aggregator with the deal currency', () => {
      const { events } = parse([change('amount', '24000', t0), change('deal_currency_code', 'jpy', t0)]);
      expect(events[0]).toMatchObject({ at: t0, changes: { amount: null, amountDecimal: '24000' } });
      expect(fold(events)?.data).toMatchObject({ amount: null, amountDecimal: '24000', currency: 'JPY' });
      expect(money(events)).toEqual({ minor: 24000, currency: 'JPY' });
    });

    it("keeps the currency's scale when the currency arrives in another delivery, in any order", () => {
      for (const [code, value, minor] of [
        ['JPY', '2500', 2500],
        ['EUR', '2500', 250000],
        ['KWD', '2500.125', 2500125],
      ] as const) {
        const amount = parse([change('amount', value, t0 + 1000)]).events;
        const currency = parse([change('deal_currency_code', code.toLowerCase(), t0 + 1000)]).events;
        const created = parse([creation(t0)]).events;
        for (const order of orders(created, amount, currency))
          expect(money(order), `${value} ${code}`).toEqual({ minor, currency: code });
      }
    });

    it('rescales the amount when only the currency changes later', () => {
      const amount = parse([change('amount', '1234.5', t0), change('deal_currency_code', 'EUR', t0)]).events;
      const later = parse([change('deal_currency_code', 'JPY', t0 + 60_000)]).events;
      for (const order of orders(amount, later)) expect(money(order)).toEqual({ minor: 1235, currency: 'JPY' });
    });

    it('rounds more decimals than the currency has half away from zero, never refusing them', () => {
      for (const [code, value, minor] of [
        ['JPY', '2500.5', 2501],
        ['JPY', '2500.4999', 2500],
        ['JPY', '-2500.5', -2501],
        ['EUR', '12.345', 1235],
        ['EUR', '12.344999999999999999', 1234],
        ['KWD', '0.0005', 1],
      ] as const) {
        const events = parse([change('amount', value, t0), change('deal_currency_code', code, t0)]).events;
        expect(money(events), `${value} ${code}`).toEqual({ minor, currency: code });
      }
    });

    it('assumes the company (base) currency when none is known, and a real currency outranks it', () => {
      const amount = parse([change('amount', '1234.5', t0 + 5000)]).events;
      expect(fold(amount)?.data).toMatchObject({ amountDecimal: '1234.5', currency: 'EUR' });
      expect(money(amount)).toEqual({ minor: 123450, currency: 'EUR' });
      const earlierCurrency = parse([change('deal_currency_code', 'USD', t0)]).events;
      for (const order of orders(amount, earlierCurrency))
        expect(money(order)).toEqual({ minor: 123450, currency: 'USD' });
    });

    it('clears the amount when the property is emptied', () => {
      const emptied = parse([change('amount', '', t0 + 1000)]).events;
      expect(emptied).toEqual([expect.objectContaining({ changes: { amount: null, amountDecimal: null } })]);
      const amount = parse([change('amount', '2500', t0)]).events;
      for (const order of orders(amount, emptied)) expect(money(order)).toBeNull();
    });

    it('writes the decimal without a plus sign, leading zeros or trailing zeros', () => {
      const decimalOf = (value: string) => {
        const [event] = parse([change('amount', value, t0)]).events;
        return event?.mode === 'patch' ? event.changes : undefined;
      };
      expect(decimalOf('+02500.50')).toMatchObject({ amountDecimal: '2500.5' });
      expect(decimalOf(' 2500.00 ')).toMatchObject({ amountDecimal: '2500' });
      expect(decimalOf('0.070')).toMatchObject({ amountDecimal: '0.07' });
      expect(decimalOf('-0.000')).toMatchObject({ amountDecimal: '0' });
      expect(decimalOf('-000012')).toMatchObject({ amountDecimal: '-12' });
      expect(decimalOf(`${'0'.repeat(40)}1.${'5'.padEnd(60, '0')}`)).toMatchObject({ amountDecimal: '1.5' });
    });

    it('refuses an amount that is not a decimal number or is out of bounds, naming where', () => {
      expect(() => parse([creation(t0), change('amount', '12,5', t0)])).toThrow(/^\[1\]\.propertyValue: /);
      for (const value of ['1e5', '12.', '.5', 'NaN', '--1', '1 000', '9'.repeat(16), `1.${'1'.repeat(21)}`])
        expect(() => parse([change('amount', value, t0)]), value).toThrow(PayloadError);
      expect(() => parse([change('amount', '9'.repeat(16), t0)])).toThrow(/^\[0\]\.propertyValue: must be a plain/);
    });

    it('accepts at the gate every amount it parses, at the bounds too', () => {
      for (const value of ['2500.5', '9'.repeat(15), `-${'9'.repeat(15)}.${'9'.repeat(20)}`, '0']) {
        for (const event of parse([change('amount', value, t0)]).events)
          expect(checkCanonicalEvent(JSON.parse(JSON.stringify(event))).problem, value).toBeUndefined();
      }
    });

    it('keeps a minor amount stored before amounts were decimals until the amount changes', () => {
      // What this connector sent before: the amount in minor units, scaled by the base currency.
      const stored = [
        dealPatch('555', t0, '2026-03-18T10:00:00.000Z', { amount: 250000 }),
        dealPatch('555', t0, '2026-03-18T10:00:00.000Z', { currency: 'EUR' }),
      ] as CanonicalEvent[];
      expect(money(stored)).toEqual({ minor: 250000, currency: 'EUR' });
      const changed = parse([change('amount', '3000', t0 + 1000)]).events;
      for (const order of orders(stored, changed)) expect(money(order)).toEqual({ minor: 300000, currency: 'EUR' });
      // An old-style amount newer than the decimal (in flight while the connector was replaced) wins.
      const newer = [dealPatch('555', t0 + 2000, '2026-03-18T10:00:02.000Z', { amount: 310000 })] as CanonicalEvent[];
      for (const order of orders(stored, changed, newer))
        expect(money(order)).toEqual({ minor: 310000, currency: 'EUR' });
    });
  });

  describe('settings', () => {
    const t0 = Date.parse('2026-03-18T10:00:00Z');

    it('treats configured stage ids as won or lost, besides closedwon and closedlost', () => {
      const settings = { HUBSPOT_WON_STAGES: '1233582150, 99', HUBSPOT_LOST_STAGES: '1233582151' };
      const status = (stage: string) => parse([change('dealstage', stage, t0)], settings).events[0];
      expect(status('1233582150')).toMatchObject({ changes: { status: 'won' } });
      expect(status('99')).toMatchObject({ changes: { status: 'won' } });
      expect(status('1233582151')).toMatchObject({ changes: { status: 'lost' } });
      expect(status('closedwon')).toMatchObject({ changes: { status: 'won' } });
      expect(status('closedlost')).toMatchObject({ changes: { status: 'lost' } });
      expect(status('presentationscheduled')).toMatchObject({ changes: { status: 'open' } });
    });

    it('reads the customer from the configured property, customer_id by default', () => {
      expect(parse([change('customer_id', 'C-1', t0)]).events[0]).toMatchObject({ changes: { customerId: 'C-1' } });
      const settings = { HUBSPOT_CUSTOMER_PROPERTY: 'erp_customer' };
      expect(parse([change('erp_customer', 'C-2', t0)], settings).events[0]).toMatchObject({
        changes: { customerId: 'C-2' },
      });
      expect(parse([change('customer_id', 'C-1', t0)], settings)).toEqual({ events: [], ignored: 1 });
    });

    it('maps the owner and the lost reason', () => {
      const { events } = parse([change('hubspot_owner_id', '52530071', t0), change('closed_lost_reason', 'Price', t0)]);
      expect(fold(events)?.data).toMatchObject({ ownerId: '52530071', lostReason: 'Price' });
    });
  });

  describe('other events', () => {
    it('ignores non-deal objects, unused properties and merges, counting them', () => {
      const batch = [
        { subscriptionType: 'contact.creation', objectId: 1, occurredAt: 1 },
        { subscriptionType: 'object.propertyChange', objectTypeId: '0-1', objectId: 1, occurredAt: 1 },
        change('description', 'Renewal', 1),
        { subscriptionType: 'deal.merge', objectId: 1, occurredAt: 1 },
      ];
      expect(parse(batch)).toEqual({ events: [], ignored: 4 });
    });

    it("maps dealname to the deal's title: trimmed, emptied to none, cut to a label's length", () => {
      const titles = parse([
        change('dealname', '  Nordlicht GmbH - renewal ', 1),
        change('dealname', '', 2),
        change('dealname', `${'x'.repeat(255)}😀 and more`, 3),
      ]).events.map((e) => (e.mode === 'patch' ? e.changes : undefined));
      // 255 x and no half of the emoji: the label's 256 UTF-16 units would have split its surrogate pair.
      expect(titles).toEqual([{ title: 'Nordlicht GmbH - renewal' }, { title: null }, { title: 'x'.repeat(255) }]);
    });

    it('maps deal.restore to an undeleted patch', () => {
      expect(parse([{ subscriptionType: 'deal.restore', objectId: 7, occurredAt: 5 }]).events[0]).toMatchObject({
        id: '7',
        at: 5,
        changes: { deleted: false },
      });
    });

    it('refuses a body that is not an array, or a deal event without its fields, naming where', () => {
      expect(() => parse({ events: [] })).toThrow(/^body: .*expected array/);
      expect(() => parse([creation(1), { subscriptionType: 'deal.creation', objectId: 1 }])).toThrow(
        /^\[1\]\.occurredAt: /,
      );
      expect(() => parse([{ subscriptionType: 'deal.propertyChange', objectId: 1, occurredAt: 1 }])).toThrow(
        /^\[0\]\.propertyName: /,
      );
      expect(() => parse([{ ...creation(1), occurredAt: '2026-03-18' }])).toThrow(/^\[0\]\.occurredAt: /);
    });
  });

  describe('signature', () => {
    const LEGACY_OPT_IN = { HUBSPOT_ACCEPT_LEGACY_SIGNATURES: 'true' };
    const vectors = signatureVectors().filter((v) => v.provider === 'hubspot');
    const isLegacy = (v: SignatureVector) => !Object.keys(v.headers).some((h) => /-v3$/i.test(h));

    it('has v3 and legacy signature vectors to check', () => {
      expect(vectors.filter((v) => !isLegacy(v)).length).toBeGreaterThan(0);
      expect(vectors.filter(isLegacy).length).toBeGreaterThan(0);
    });

    describe.each(vectors.map((v) => [v.name, v] as const))('vector %s', (_name, vector) => {
      const { body, secret, now, signatureHeader, request } = vectorCase(vector);
      // v3 verifies by default; v1 and v2 only with the opt-in.
      const settings = isLegacy(vector) ? LEGACY_OPT_IN : {};
      it('verifies', () => {
        expect(() => hubspot.verify(request(body, vector.headers), secret, now, settings)).not.toThrow();
      });
      it('fails with one flipped byte in the body', () => {
        expect(() => hubspot.verify(request(flipByte(body), vector.headers), secret, now, settings)).toThrow(
          SignatureError,
        );
      });
      it('fails with one flipped character in the signature', () => {
        const headers = { ...vector.headers, [signatureHeader]: flipMiddle(vector.headers[signatureHeader] ?? '') };
        expect(() => hubspot.verify(request(body, headers), secret, now, settings)).toThrow(SignatureError);
      });
      it('fails with another secret', () => {
        expect(() => hubspot.verify(request(body, vector.headers), `${secret}x`, now, settings)).toThrow(
          SignatureError,
        );
      });
      if (isLegacy(vector)) {
        it('is refused without HUBSPOT_ACCEPT_LEGACY_SIGNATURES=true', () => {
          for (const off of [undefined, {}, { HUBSPOT_ACCEPT_LEGACY_SIGNATURES: 'false' }]) {
            expect(() => hubspot.verify(request(body, vector.headers), secret, now, off)).toThrow(
              /X-HubSpot-Signature \(v1\/v2\) carries no timestamp and is refused.*HUBSPOT_ACCEPT_LEGACY_SIGNATURES=true/,
            );
          }
        });
      }
    });

    const secret = 'hs_secret';
    const body = Buffer.from('[]');
    const ts = String(NOW.getTime());
    const v3 = (uri: string, timestamp = ts) =>
      createHmac('sha256', secret).update(`POST${uri}[]${timestamp}`).digest('base64');
    const verify = (url: string, headers: Record<string, string>, now = NOW, settings: Record<string, string> = {}) =>
      hubspot.verify(webhookRequest(body, headers, url), secret, now, settings);

    it('decodes only the documented percent-escapes of the URI before checking', () => {
      const url = 'https://hooks.example.com/webhooks/hubspot?tenant=a%3Ab%40c%2Cd%20e';
      const signature = v3('https://hooks.example.com/webhooks/hubspot?tenant=a:b@c,d%20e');
      expect(() =>
        verify(url, { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': ts }),
      ).not.toThrow();
      const overDecoded = v3('https://hooks.example.com/webhooks/hubspot?tenant=a:b@c,d e');
      expect(() => verify(url, { 'X-HubSpot-Signature-v3': overDecoded, 'X-HubSpot-Request-Timestamp': ts })).toThrow(
        SignatureError,
      );
    });

    it('refuses a timestamp older than 5 minutes', () => {
      const old = String(NOW.getTime() - 300_001);
      const headers = { 'X-HubSpot-Signature-v3': v3('https://h/x', old), 'X-HubSpot-Request-Timestamp': old };
      expect(() => verify('https://h/x', headers)).toThrow(/X-HubSpot-Request-Timestamp is 300 s old/);
      expect(() => verify('https://h/x', headers, new Date(NOW.getTime() - 1))).not.toThrow();
    });

    it('refuses a v3 signature without its timestamp', () => {
      expect(() => verify('https://h/x', { 'X-HubSpot-Signature-v3': v3('https://h/x') })).toThrow(
        /missing X-HubSpot-Request-Timestamp/,
      );
    });

    it('accepts legacy v1 and v2 signatures (no replay window) only when opted in, and refuses unknown versions', () => {
      const v1 = sha256Hex(`${secret}[]`);
      const v2 = sha256Hex(`${secret}POSThttps://h/x[]`);
      expect(() => verify('https://h/x', { 'X-HubSpot-Signature': v1 })).toThrow(/carries no timestamp/);
      expect(() => verify('https://h/x', { 'X-HubSpot-Signature': v1 }, NOW, LEGACY_OPT_IN)).not.toThrow();
      const v2Headers = { 'X-HubSpot-Signature': v2, 'X-HubSpot-Signature-Version': 'v2' };
      expect(() => verify('https://h/x', v2Headers)).toThrow(/carries no timestamp/);
      expect(() => verify('https://h/x', v2Headers, NOW, LEGACY_OPT_IN)).not.toThrow();
      expect(() =>
        verify('https://h/x', { 'X-HubSpot-Signature': v1, 'X-HubSpot-Signature-Version': 'v2' }, NOW, LEGACY_OPT_IN),
      ).toThrow(SignatureError);
      expect(() =>
        verify('https://h/x', { 'X-HubSpot-Signature': v1, 'X-HubSpot-Signature-Version': 'v9' }, NOW, LEGACY_OPT_IN),
      ).toThrow(/not supported/);
      expect(() => verify('https://h/x', {})).toThrow(/missing X-HubSpot-Signature-v3/);
    });

    it('refuses an empty X-HubSpot-Signature-v3 header as an empty signature, never falling back to v1', () => {
      const v1 = sha256Hex(`${secret}[]`);
      for (const empty of ['', '   ']) {
        expect(() =>
          verify('https://h/x', { 'X-HubSpot-Signature-v3': empty, 'X-HubSpot-Signature': v1 }, NOW, LEGACY_OPT_IN),
        ).toThrow(/X-HubSpot-Signature-v3 is an empty signature/);
      }
    });

    it('answers 401 with one message to every v1 length-extension forgery, whatever secret length it guessed', async () => {
      // A captured legacy delivery: HubSpot's v1 is sha256(secret ‖ body), so anyone holding it can append data
      // and compute a valid signature once they guess the secret's length. Guessing right used to be a 400
      // (the forged body is not JSON) and wrong a 401: the answer told the secret's length.
      const captured = Buffer.from('[{"subscriptionType":"deal.deletion","objectId":1,"occurredAt":1773921533688}]');
      const realSecret = SECRETS.WEBHOOK_SECRET_HUBSPOT ?? '';
      const signature = sha256Hex(`${realSecret}${captured.toString()}`);
      const extension = Buffer.from(',{"subscriptionType":"deal.deletion","objectId":2,"occurredAt":1}]');
      const handler = ingestHandler({ settings: LEGACY_OPT_IN });
      const answers = new Set<string>();
      for (let guess = 1; guess <= 40; guess++) {
        const forged = lengthExtension(signature, guess + captured.length, extension);
        const forgedBody = Buffer.concat([captured, forged.glue, extension]);
        if (guess === realSecret.length) {
          // The forgery is sound: the real secret does sign the forged body with the forged signature.
          expect(createHash('sha256').update(realSecret).update(forgedBody).digest('hex')).toBe(forged.signature);
        }
        const headers = { 'x-hubspot-signature': forged.signature, 'x-hubspot-signature-version': 'v1' };
        const result = await handler(httpEvent('hubspot', forgedBody, headers));
        expect(result.statusCode, `secret length ${guess}`).toBe(401);
        answers.add(String(result.body));
      }
      expect([...answers]).toEqual([JSON.stringify({ error: 'X-HubSpot-Signature does not match the body' })]);
      // The captured delivery itself still verifies with the opt-in (and only with it).
      const genuine = { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v1' };
      expect((await handler(httpEvent('hubspot', captured, genuine))).statusCode).toBe(202);
      expect((await ingestHandler()(httpEvent('hubspot', captured, genuine))).statusCode).toBe(401);
    });
  });
});
