import { createHmac } from 'node:crypto';
import { PayloadError, SignatureError } from '@flash/connectors';
import { applyEvent, type CanonicalEvent, type EntityState } from '@flash/core';
import { describe, expect, it } from 'vitest';
import {
  connector,
  fixtureJson,
  NOW,
  parseContext,
  parseFixture,
  signatureVectorSuite,
  webhookRequest,
} from './helpers.js';

const stripe = connector('stripe');
const parse = (body: unknown) => stripe.parse(webhookRequest(JSON.stringify(body)), parseContext());

/** The fixture with some fields of `data.object` replaced. */
const variant = (fixture: string, object: Record<string, unknown>, event: Record<string, unknown> = {}) => {
  const body = fixtureJson(fixture);
  const data = body.data as { object: Record<string, unknown> };
  return { ...body, ...event, data: { ...data, object: { ...data.object, ...object } } };
};

const fold = (events: CanonicalEvent[]): EntityState | undefined =>
  events.reduce<EntityState | undefined>((state, e) => applyEvent(state, e) ?? state, undefined);

const FIRST_INVOICE = {
  customerId: 'cus_SXq8aB2fK1LmNo',
  projectId: null,
  number: '7F3B2C1A-0007',
  status: 'issued',
  invoiceDate: '2026-03-01T01:00:00.000Z',
  total: 49000,
  currency: 'EUR',
};

describe('stripe connector', () => {
  describe('fixtures', () => {
    it('maps invoice.finalized to an issued invoice ranked open', () => {
      expect(parseFixture('stripe', 'stripe/invoice.finalized.json')).toEqual({
        ignored: 0,
        events: [
          {
            entity: 'invoice',
            source: 'stripe',
            id: 'in_1R3aTqLkdIwHu7ixZ4bQ3a9T',
            mode: 'snapshot',
            version: [1, 1772326800],
            deleted: false,
            occurredAt: '2026-03-01T01:00:00.000Z',
            deliveryId: 'delivery-1',
            data: FIRST_INVOICE,
          },
        ],
      });
    });

    it.each([['stripe/invoice.paid.json'], ['stripe/invoice.updated.json']])(
      'maps %s to the same issued invoice ranked paid',
      (fixture) => {
        const [event] = parseFixture('stripe', fixture).events;
        expect(event).toMatchObject({
          id: 'in_1R3aTqLkdIwHu7ixZ4bQ3a9T',
          version: [2, 1772964000],
          occurredAt: '2026-03-08T10:00:00.000Z',
          data: FIRST_INVOICE,
        });
      },
    );

    it('maps invoice.voided to a void invoice dated by effective_at', () => {
      expect(parseFixture('stripe', 'stripe/invoice.voided.json').events).toEqual([
        {
          entity: 'invoice',
          source: 'stripe',
          id: 'in_1R3xVdLkdIwHu7ixC2mP8rKe',
          mode: 'snapshot',
          version: [3, 1772629200],
          deleted: false,
          occurredAt: '2026-03-04T13:00:00.000Z',
          deliveryId: 'delivery-1',
          data: {
            customerId: 'cus_SXq8aB2fK1LmNo',
            projectId: null,
            number: '7F3B2C1A-0008',
            status: 'void',
            invoiceDate: '2026-03-02T01:00:00.000Z',
            total: 49000,
            currency: 'EUR',
          },
        },
      ]);
    });

    it('maps credit_note.created to an issued credit note on its invoice', () => {
      expect(parseFixture('stripe', 'stripe/credit_note.created.json').events).toEqual([
        {
          entity: 'credit_note',
          source: 'stripe',
          id: 'cn_1R8pQ2LkdIwHu7ixq0ZpVb4M',
          mode: 'snapshot',
          version: [0, 1773835200],
          deleted: false,
          occurredAt: '2026-03-18T12:00:00.000Z',
          deliveryId: 'delivery-1',
          data: {
            customerId: 'cus_SXq8aB2fK1LmNo',
            invoiceId: 'in_1R3aTqLkdIwHu7ixZ4bQ3a9T',
            status: 'issued',
            date: '2026-03-18T12:00:00.000Z',
            total: 4900,
            currency: 'EUR',
          },
        },
      ]);
    });
  });

  describe('ordering', () => {
    it('keeps the paid state when invoice.finalized arrives after invoice.paid', () => {
      const paid = parseFixture('stripe', 'stripe/invoice.paid.json').events;
      const finalized = parseFixture('stripe', 'stripe/invoice.finalized.json').events;
      expect(fold([...paid, ...finalized])?.version).toEqual([2, 1772964000]);
    });

    it('ranks void above paid even when the void event is older', () => {
      const paid = parse(variant('stripe/invoice.paid.json', {}, { created: 1772964000 })).events;
      const voided = parse(variant('stripe/invoice.paid.json', { status: 'void' }, { created: 1772900000 })).events;
      expect(fold([...voided, ...paid])?.data).toMatchObject({ status: 'void' });
      expect(fold([...paid, ...voided])?.data).toMatchObject({ status: 'void' });
    });

    it('lets a newer event of the same status replace an older one (a metadata edit)', () => {
      const before = parse(variant('stripe/invoice.finalized.json', {})).events;
      const edited = parse(
        variant('stripe/invoice.finalized.json', { metadata: { crm_customer_id: 'C-77' } }, { created: 1772400000 }),
      ).events;
      expect(fold([...edited, ...before])?.data).toMatchObject({ customerId: 'C-77' });
    });
  });

  describe('mapping rules', () => {
    it('prefers metadata.crm_customer_id over the Stripe customer', () => {
      const body = variant('stripe/invoice.paid.json', { metadata: { crm_customer_id: 'C-42' } });
      expect(parse(body).events[0]).toMatchObject({ data: { customerId: 'C-42' } });
    });

    it('dates an invoice by status_transitions.finalized_at when effective_at is null', () => {
      const body = variant('stripe/invoice.finalized.json', { effective_at: null });
      expect(parse(body).events[0]).toMatchObject({ data: { invoiceDate: '2026-03-01T01:00:00.000Z' } });
      const later = variant('stripe/invoice.finalized.json', {
        effective_at: null,
        status_transitions: { finalized_at: 1772409600 },
      });
      expect(parse(later).events[0]).toMatchObject({ data: { invoiceDate: '2026-03-02T00:00:00.000Z' } });
    });

    it('maps a draft to a draft without a date, and invoice.deleted to a deleted entity', () => {
      const draft = { status: 'draft', number: null, effective_at: null, status_transitions: { finalized_at: null } };
      const [created] = parse(variant('stripe/invoice.finalized.json', draft, { type: 'invoice.created' })).events;
      expect(created).toMatchObject({ version: [0, 1772326800], deleted: false, data: { status: 'draft' } });
      expect(created).toMatchObject({ data: { number: null, invoiceDate: null } });
      const [deleted] = parse(
        variant('stripe/invoice.finalized.json', draft, { type: 'invoice.deleted', created: 1772330000 }),
      ).events;
      expect(deleted).toMatchObject({ version: [0, 1772330000], deleted: true });
    });

    it('maps uncollectible to issued', () => {
      const body = variant('stripe/invoice.paid.json', { status: 'uncollectible' });
      expect(parse(body).events[0]).toMatchObject({ version: [2, 1772964000], data: { status: 'issued' } });
    });

    it('dates a credit note by created when effective_at is missing, and maps a voided one', () => {
      const body = variant('stripe/credit_note.created.json', {
        effective_at: null,
        created: 1773900000,
        status: 'void',
      });
      expect(parse(body).events[0]).toMatchObject({
        version: [1, 1773835200],
        data: { status: 'void', date: '2026-03-19T06:00:00.000Z' },
      });
    });

    it('rescales currencies where Stripe minor units differ from ISO digits', () => {
      const isk = parse(variant('stripe/invoice.paid.json', { currency: 'isk', total: 1250000 })).events[0];
      expect(isk).toMatchObject({ data: { total: 12500, currency: 'ISK' } });
      const jpy = parse(variant('stripe/invoice.paid.json', { currency: 'jpy', total: 4900 })).events[0];
      expect(jpy).toMatchObject({ data: { total: 4900, currency: 'JPY' } });
      const kwd = parse(variant('stripe/invoice.paid.json', { currency: 'kwd', total: 12340 })).events[0];
      expect(kwd).toMatchObject({ data: { total: 12340, currency: 'KWD' } });
    });

    it('refuses a fraction the ISO currency cannot hold instead of rounding it', () => {
      expect(() => parse(variant('stripe/invoice.paid.json', { currency: 'huf', total: 1045 }))).toThrow(
        /data\.object\.total/,
      );
    });

    it('ignores other event types and the preview invoice.upcoming', () => {
      const customer = {
        id: 'evt_1',
        type: 'customer.created',
        created: 1772964000,
        data: { object: { id: 'cus_1' } },
      };
      expect(parse(customer)).toEqual({ events: [], ignored: 1 });
      const upcoming = variant('stripe/invoice.paid.json', { id: undefined }, { type: 'invoice.upcoming' });
      expect(parse(upcoming)).toEqual({ events: [], ignored: 1 });
    });

    it('names the field when a required one has the wrong type', () => {
      expect(() => parse(variant('stripe/invoice.paid.json', { total: '49000' }))).toThrow(PayloadError);
      expect(() => parse(variant('stripe/invoice.paid.json', { total: '49000' }))).toThrow(/^data\.object\.total: /);
      expect(() => parse(variant('stripe/invoice.paid.json', { status: 'settled' }))).toThrow(/data\.object\.status/);
      expect(() => parse(variant('stripe/credit_note.created.json', { created: 'yesterday' }))).toThrow(
        /data\.object\.created/,
      );
    });
  });

  describe('signature', () => {
    signatureVectorSuite('stripe');

    const body = Buffer.from('{"id":"evt_1"}');
    const secret = 'whsec_abc';
    const t = Math.floor(NOW.getTime() / 1000);
    const sign = (ts: number) => createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex');
    const verify = (header: string, now = NOW) =>
      stripe.verify(webhookRequest(body, { 'Stripe-Signature': header }), secret, now);

    it('accepts any matching v1 among several and ignores other schemes', () => {
      expect(() => verify(`t=${t},v1=${'0'.repeat(64)},v0=abc,v1=${sign(t)}`)).not.toThrow();
    });

    it('refuses a timestamp more than 300 s away, in either direction', () => {
      expect(() => verify(`t=${t - 300},v1=${sign(t - 300)}`)).not.toThrow();
      expect(() => verify(`t=${t - 301},v1=${sign(t - 301)}`)).toThrow(/old; the limit is 300 s/);
      expect(() => verify(`t=${t + 301},v1=${sign(t + 301)}`)).toThrow(/in the future/);
    });

    it('refuses a header without t or without v1', () => {
      expect(() => verify(`v1=${sign(t)}`)).toThrow(SignatureError);
      expect(() => verify(`t=${t},v0=${sign(t)}`)).toThrow(/no v1/);
      expect(() => stripe.verify(webhookRequest(body), secret, NOW)).toThrow(/missing Stripe-Signature/);
    });
  });
});
