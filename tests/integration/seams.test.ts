import { afterEach, describe, expect, it } from 'vitest';
import {
  genericEvents,
  hubspotBatch,
  type StripeInvoice,
  stripeCreditNoteEvent,
  stripeInvoiceEvent,
} from '../support/provider-payloads.js';
import { SEAM_NOW, type SeamPipeline, startSeamPipeline } from '../support/seam-pipeline.js';

/**
 * One test per finding of issue 12, each through every seam: a real provider payload, signed, through the
 * ingest handler, the EventBridge envelope and SQS records as AWS serialises them, the aggregator's parse,
 * the engine, DynamoDB Local and the query handler's JSON answer.
 */

const now = SEAM_NOW;
const at = (iso: string) => Date.parse(iso);
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

let pipeline: SeamPipeline;
const open = async () => {
  pipeline = await startSeamPipeline();
  return pipeline;
};
afterEach(async () => {
  await pipeline?.close();
});

/** Posts each delivery (all must be accepted), then lets the aggregator apply everything. */
const deliver = async (p: SeamPipeline, ...deliveries: Parameters<SeamPipeline['post']>[0][]) => {
  for (const d of deliveries) {
    const answer = await p.post(d);
    expect(answer, d.label).toMatchObject({ status: 202 });
  }
  await p.drain();
  expect(p.deadLetters).toEqual([]);
};

describe('HubSpot property changes across deliveries', () => {
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
});

describe('Stripe credit notes', () => {
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
      genericEvents(
        [{ type: 'customer', id: '7001', version: 1, name: 'Nordlicht', internal: false, segment: 'Gold' }],
        now,
      ),
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
