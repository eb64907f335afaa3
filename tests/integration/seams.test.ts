import { afterEach, describe, expect, it } from 'vitest';
import {
  type Delivery,
  delightedEvent,
  genericEvents,
  hubspotBatch,
  type StripeInvoice,
  stripeCreditNoteEvent,
  stripeInvoiceEvent,
  typeformEvent,
} from '../support/provider-payloads.js';
import { SEAM_NOW, type SeamPipeline, seededRandom, startSeamPipeline } from '../support/seam-pipeline.js';

/**
 * One test per finding of issue 12 that the bus carries, each through every seam: a real provider payload,
 * signed, through the ingest handler, the EventBridge envelope and SQS records as AWS serialises them, the
 * aggregator's parse, the engine, DynamoDB Local and the query handler's JSON answer. (Findings 8 and 10 need
 * the local stack's HTTP server and alert wiring: seams.local-stack.test.ts.)
 */

const now = SEAM_NOW;
const at = (iso: string) => Date.parse(iso);
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

let pipeline: SeamPipeline | undefined;
const open = async () => {
  pipeline = await startSeamPipeline();
  return pipeline;
};
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** Posts each delivery (all must be accepted), then lets the aggregator apply everything. */
const deliver = async (p: SeamPipeline, ...deliveries: Delivery[]) => {
  for (const d of deliveries) {
    const answer = await p.post(d);
    expect(answer, d.label).toMatchObject({ status: 202 });
  }
  await p.drain();
  expect(p.deadLetters.map((l) => l.reason)).toEqual([]);
};

/**
 * The gate: a delivery is either refused with a 400 that names what is wrong, or answered 202 and then
 * applied in full (no dead letter, no drift). Never 202 and then lost.
 */
const refusedOrApplied = async (p: SeamPipeline, d: Delivery, names: RegExp, extraHeaders?: Record<string, string>) => {
  const answer = await p.post(d, extraHeaders);
  if (answer.status === 202) {
    await p.drain();
    expect(p.deadLetters.map((l) => l.reason)).toEqual([]);
    expect(await p.verify()).toEqual([]);
  } else {
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toMatch(names);
  }
  return answer;
};

const customer = (id: string, fields: Record<string, unknown> = {}) => ({
  type: 'customer',
  id,
  version: 1,
  name: `Customer ${id}`,
  internal: false,
  ...fields,
});

const detractor = (token: string, fields: Partial<Parameters<typeof typeformEvent>[0]> = {}) =>
  typeformEvent(
    {
      token,
      submittedAt: '2026-11-05T08:00:00Z',
      score: 3,
      comment: 'Too slow',
      hidden: { customer_id: '7001' },
      emailAnswer: null,
      ...fields,
    },
    now,
  );

describe('1. HubSpot property changes across deliveries', () => {
  const deal = 267448862446;
  const created = at('2026-11-03T09:00:00Z');

  it("a later HubSpot property change keeps the deal's other properties", async () => {
    const p = await open();
    await deliver(
      p,
      hubspotBatch([{ kind: 'creation', objectId: deal, occurredAt: created }], now),
      hubspotBatch(
        [
          { kind: 'property', objectId: deal, occurredAt: created + 1000, name: 'amount', value: '2500' },
          { kind: 'property', objectId: deal, occurredAt: created + 1000, name: 'deal_currency_code', value: 'EUR' },
          {
            kind: 'property',
            objectId: deal,
            occurredAt: created + 1000,
            name: 'dealstage',
            value: 'appointmentscheduled',
          },
          { kind: 'property', objectId: deal, occurredAt: created + 1000, name: 'hubspot_owner_id', value: '61001' },
        ],
        now,
      ),
    );
    const openPipeline = await p.get('/v1/pipeline', { period: '2026-11' });
    expect(openPipeline.body).toMatchObject({ created: 1, openCount: 1, openValue: 2500 });

    const closedAt = at('2026-11-10T15:00:00Z');
    await deliver(
      p,
      hubspotBatch(
        [{ kind: 'property', objectId: deal, occurredAt: closedAt, name: 'dealstage', value: 'closedwon' }],
        now,
      ),
    );
    const won = await p.get('/v1/pipeline', { period: '2026-11' });
    expect(won.body).toMatchObject({ created: 1, won: 1, wonValue: 2500, openCount: 0, openValue: 0 });
    // 7 days and 6 hours from creation to the change into closedwon.
    expect(won.body).toMatchObject({ leadTimeDays: 7.3 });
    const owner = await p.get('/v1/pipeline', { period: '2026-11', owner: '61001' });
    expect(owner.body).toMatchObject({ created: 1, won: 1, wonValue: 2500, leadTimeDays: 7.3 });
  });

  it("a HubSpot amount keeps its currency's scale when deal_currency_code arrives in another delivery", async () => {
    // Beyond the list, found by seams.property.test.ts: the connector scales an amount by the currency
    // of its own delivery, so ¥2,500 whose currency came separately was counted as ¥250,000.
    const p = await open();
    await deliver(
      p,
      hubspotBatch([{ kind: 'creation', objectId: deal, occurredAt: created }], now),
      hubspotBatch(
        [{ kind: 'property', objectId: deal, occurredAt: created + 1000, name: 'amount', value: '2500' }],
        now,
      ),
      hubspotBatch(
        [{ kind: 'property', objectId: deal, occurredAt: created + 1000, name: 'deal_currency_code', value: 'JPY' }],
        now,
      ),
    );
    const { body } = await p.get('/v1/pipeline', { period: '2026-11' });
    expect(body).toMatchObject({ openCount: 1, openValue: 0, otherCurrencies: { JPY: { openValue: 2500 } } });
  });
});

describe('2. a 202 means every accepted event applies', () => {
  const long = (n: number) => 'x'.repeat(n);

  it('a generic customer name over the limit is refused or applied, never dead-lettered', async () => {
    const p = await open();
    await refusedOrApplied(
      p,
      genericEvents([customer('7001'), customer('7002', { name: long(257) }), customer('7003')], now),
      /events\[1\]\.name/,
    );
  });

  it('a Typeform hidden field over the limit is refused or applied, never dead-lettered', async () => {
    const p = await open();
    await refusedOrApplied(p, detractor('tok-hidden', { hidden: { customer_id: long(300) } }), /customer/);
  });

  it('a Delighted comment of 10,001 characters is refused or applied, never dead-lettered', async () => {
    const p = await open();
    const created = seconds('2026-11-05T08:00:00Z');
    await refusedOrApplied(
      p,
      delightedEvent(
        'survey_response.updated',
        {
          id: '88217431',
          score: 4,
          comment: long(10_001),
          createdAt: created,
          updatedAt: created + 600,
          email: 'ola@fjord.example',
          personProperties: { customer_id: '7001' },
        },
        now,
      ),
      /comment/,
    );
  });

  it('a Stripe invoice id of 303 characters is refused or applied, never dead-lettered', async () => {
    const p = await open();
    const issued = seconds('2026-11-04T10:00:00Z');
    await refusedOrApplied(
      p,
      stripeInvoiceEvent(
        'invoice.finalized',
        issued,
        {
          id: `in_${long(300)}`,
          status: 'open',
          customer: 'cus_SXq8aB2fK1LmNo',
          crmCustomerId: '7001',
          number: 'SEAM-0002',
          total: 100_00,
          currency: 'eur',
          effectiveAt: issued,
          finalizedAt: issued,
        },
        now,
      ),
      /\bid\b/,
    );
  });

  it("an X-Request-Id of 257 characters does not lose the delivery (nor a detractor's alert)", async () => {
    const p = await open();
    const answer = await p.post(detractor('tok-request-id'), { 'x-request-id': long(257) });
    expect(answer.status).toBe(202);
    await p.drain();
    expect(p.deadLetters.map((l) => l.reason)).toEqual([]);
    const { body } = await p.get('/v1/metrics', { period: '2026-11' });
    expect(body).toMatchObject({ nps: { detractors: 1, responses: 1 } });
  });

  it('a date string of 2 KB is refused or applied, never dead-lettered', async () => {
    const p = await open();
    await refusedOrApplied(
      p,
      genericEvents(
        [
          {
            type: 'survey_response',
            id: 'R-long-date',
            version: 1,
            score: 2,
            submittedAt: `2026-11-05 08:00:00 (${long(2000)})`,
          },
        ],
        now,
      ),
      /submittedAt/,
    );
  });
});

describe('3. breakdown labels cannot outgrow an item', () => {
  it('a month with many long segment labels keeps every figure exact and dead-letters nothing', async () => {
    const p = await open();
    const random = seededRandom(12);
    // A respondent controls hidden fields (URL parameters): 250 characters that each encode to 9 bytes.
    const label = () =>
      Array.from({ length: 250 }, () => String.fromCodePoint(0x4e00 + Math.floor(random() * 20_000))).join('');
    const responses = Array.from({ length: 100 }, (_, i) =>
      detractor(`tok-label-${i}`, {
        score: i % 11,
        submittedAt: `2026-11-${String(1 + (i % 19)).padStart(2, '0')}T08:00:00Z`,
        hidden: { segment: label() },
      }),
    );
    for (const d of responses) expect((await p.post(d)).status, d.label).toBe(202);
    await p.drain({ maxBatch: 10 });
    await deliver(
      p,
      genericEvents(
        [
          {
            type: 'deal',
            id: 'D-after-labels',
            version: 1,
            ownerId: 'U1',
            status: 'won',
            amount: 1000,
            currency: 'EUR',
            createdAt: '2026-11-02T10:00:00Z',
            closedAt: '2026-11-12T10:00:00Z',
          },
        ],
        now,
      ),
    );
    expect(p.deadLetters.map((l) => l.reason)).toEqual([]);
    const { body } = await p.get('/v1/metrics', { period: '2026-11' });
    expect(body).toMatchObject({ nps: { responses: 100 }, pipeline: { won: 1, wonValue: 1000 } });
    const segments = await p.get<{ total: { nps: { responses: number } } }>('/v1/metrics/segments', {
      period: '2026-11',
      by: 'segment',
    });
    expect(segments.body.total.nps.responses).toBe(100);
  });
});

describe('4. keys are unambiguous', () => {
  it("an owner id with key syntax in it never writes into another owner's figures", async () => {
    const p = await open();
    const won = (id: string, ownerId: string, amount: number) => ({
      type: 'deal',
      id,
      version: 1,
      ownerId,
      status: 'won',
      amount,
      currency: 'EUR',
      createdAt: '2026-11-02T10:00:00Z',
      closedAt: '2026-11-12T10:00:00Z',
    });
    await deliver(p, genericEvents([won('D-U7', 'U7', 1000), won('D-injected', 'U7|#', 5000)], now));
    expect((await p.get('/v1/pipeline', { period: '2026-11', owner: 'U7' })).body).toMatchObject({
      won: 1,
      wonValue: 1000,
    });
    expect((await p.get('/v1/pipeline', { period: '2026-11', owner: 'U7|#' })).body).toMatchObject({
      won: 1,
      wonValue: 5000,
    });
    expect((await p.get('/v1/pipeline', { period: '2026-11' })).body).toMatchObject({ won: 2, wonValue: 6000 });
    expect(await p.verify()).toEqual([]);
  });
});

describe('5. strict dates', () => {
  it('an invoice dated in the year -2025 is refused, and counts in no month of 2026', async () => {
    const p = await open();
    const answer = await p.post(
      genericEvents(
        [
          {
            type: 'invoice',
            id: 'I-negative-year',
            version: 1,
            number: '2026-900',
            status: 'sent',
            invoiceDate: '-002025-06-15T00:00:00Z',
            total: 100,
            currency: 'EUR',
          },
        ],
        now,
      ),
    );
    await p.drain();
    expect((await p.get('/v1/metrics', { period: '2026-06' })).body).toMatchObject({ billing: { thisMonth: 0 } });
    expect(answer.status).toBe(400);
  });

  it('a deal created at "12" is refused, not created in December 2001', async () => {
    const p = await open();
    const answer = await p.post(
      genericEvents([{ type: 'deal', id: 'D-twelve', version: 1, status: 'open', createdAt: '12' }], now),
    );
    await p.drain();
    expect((await p.get('/v1/pipeline', { period: '2001-12' })).body).toMatchObject({ created: 0 });
    expect(answer.status).toBe(400);
  });

  it('a cost dated with 500 KB of trailing text is refused with 400, not 503', async () => {
    const p = await open();
    const answer = await p.post(
      genericEvents(
        [
          {
            type: 'cost',
            id: 'K-long-date',
            version: 1,
            date: `2026-11-04 (${'x'.repeat(500_000)})`,
            amount: 300,
            currency: 'EUR',
          },
        ],
        now,
      ),
    );
    expect(answer.status).toBe(400);
  });
});

describe('6. Stripe credit notes', () => {
  it("a Stripe credit note counts under its invoice's customer in the segment breakdown", async () => {
    const p = await open();
    const issuedAt = seconds('2026-11-04T10:00:00Z');
    const invoice: StripeInvoice = {
      id: 'in_1SeamCreditNote0001',
      status: 'open',
      customer: 'cus_SXq8aB2fK1LmNo',
      crmCustomerId: '7001',
      number: 'SEAM-0001',
      total: 100_00,
      currency: 'eur',
      effectiveAt: issuedAt,
      finalizedAt: issuedAt,
    };
    await deliver(
      p,
      genericEvents([customer('7001', { name: 'Nordlicht', segment: 'Gold' })], now),
      stripeInvoiceEvent('invoice.finalized', issuedAt, invoice, now),
      stripeCreditNoteEvent(
        'credit_note.created',
        issuedAt + 3600,
        {
          id: 'cn_1SeamCreditNote0001',
          invoice: invoice.id,
          customer: invoice.customer,
          status: 'issued',
          total: 25_00,
          currency: 'eur',
          created: issuedAt + 3600,
          effectiveAt: issuedAt + 3600,
        },
        now,
      ),
    );
    const { body } = await p.get<{ segments: { label: string | null; billing: number }[]; total: { billing: number } }>(
      '/v1/metrics/segments',
      { period: '2026-11', by: 'segment' },
    );
    expect(body.total.billing).toBe(75);
    expect(body.segments.filter((s) => s.billing !== 0).map((s) => ({ label: s.label, billing: s.billing }))).toEqual([
      { label: 'Gold', billing: 75 },
    ]);
  });
});

describe('7. detractors newest first', () => {
  it('lists detractors newest first when their submission times carry offsets', async () => {
    const p = await open();
    const response = (id: string, submittedAt: string) => ({
      type: 'survey_response',
      id,
      version: 1,
      score: 2,
      submittedAt,
    });
    await deliver(
      p,
      genericEvents(
        [
          // 08:00 UTC, written in +01:00: sorts after B as text, but is the older one.
          response('A', '2026-11-05T09:00:00+01:00'),
          response('B', '2026-11-05T08:30:00Z'),
          response('C', '2026-11-05T07:00:00-05:00'),
        ],
        now,
      ),
    );
    const { body } = await p.get<{ detractors: { id: string }[] }>('/v1/nps/detractors', { period: '2026-11' });
    // C is 12:00 UTC, B 08:30 UTC, A 08:00 UTC.
    expect(body.detractors.map((d) => d.id)).toEqual(['C', 'B', 'A']);
  });
});

describe('9. generic event types', () => {
  it('a generic event of an unknown type is refused with 400 naming it and the allowed types', async () => {
    const p = await open();
    const answer = await p.post(
      genericEvents(
        [
          {
            type: 'invioce',
            id: 'I-typo',
            version: 1,
            number: '2026-1',
            status: 'sent',
            invoiceDate: '2026-11-03',
            total: 10,
          },
        ],
        now,
      ),
    );
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toMatch(/invioce/);
    expect(String(answer.body.error)).toMatch(/invoice/);
    expect(String(answer.body.error)).toMatch(/survey_response/);
  });
});

describe('11. requirements from exact ratios', () => {
  it('a hit rate of 2/3 and a budget of 100,000 require exactly 150,000 of new value a month', async () => {
    const p = await open();
    // Both won deals took 30.4375 days (30 days 10.5 hours): one average month of pipeline.
    const deal = (id: string, status: string, amount: number) => ({
      type: 'deal',
      id,
      version: 1,
      ownerId: 'U1',
      status,
      amount,
      currency: 'EUR',
      createdAt: '2026-09-10T00:00:00Z',
      closedAt: '2026-10-10T10:30:00Z',
    });
    await deliver(
      p,
      genericEvents([deal('W1', 'won', 10_000), deal('W2', 'won', 20_000), deal('L1', 'lost', 5_000)], now),
    );
    const { body } = await p.get('/v1/pipeline/requirements', { budget: '100000', period: '2026-11' });
    expect(body).toMatchObject({
      requiredNewValuePerMonth: 150_000,
      requiredNewCountPerMonth: 10,
      requiredPipelineValue: 150_000,
      whatIf: null,
    });

    // What-if, the sign given and left out: 100,000 / (2/3 + 0.02) = 145,631.07…, velocity (2/3 + 0.02) / (2/3)
    // = +3 %; a lead time 3 days longer needs 150,000 × 33.4375 / 30.4375 = 164,784.39…, velocity
    // 30.4375 / 33.4375 = -8.97 %.
    const whatIf = await p.get<{ whatIf: { scenarios: object[]; bestLever: string } }>('/v1/pipeline/requirements', {
      budget: '100000',
      period: '2026-11',
      hitRate: '+2pt',
      leadTime: '3',
    });
    expect(whatIf.status).toBe(200);
    expect(whatIf.body.whatIf.scenarios).toMatchObject([
      { changes: { hitRate: '+2pt' }, requiredNewValuePerMonth: 145_631.07, salesVelocityChangePct: 3 },
      { changes: { leadTime: '+3' }, requiredPipelineValue: 164_784.39, salesVelocityChangePct: -8.97 },
    ]);
    expect(whatIf.body.whatIf.bestLever).toBe('hitRate');
    // 2/3 + 34 points is above 100 %: the request cannot be answered as asked.
    const impossible = await p.get('/v1/pipeline/requirements', { budget: '100000', hitRate: '+34pt' });
    expect(impossible.status).toBe(400);
    expect(impossible.body.error).toMatch(/^hitRate=\+34pt leaves no valid value/);
    const malformed = await p.get('/v1/pipeline/requirements', { budget: '100000', leadTime: '-1pt' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^leadTime must be a change/);
  });
});
