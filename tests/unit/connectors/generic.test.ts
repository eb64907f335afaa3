import { createHmac } from 'node:crypto';
import { SignatureError } from '@flash/connectors';
import { describe, expect, it } from 'vitest';
import { connector, flipByte, flipMiddle, NOW, parseContext, webhookRequest } from './helpers.js';

const generic = connector('generic');
const parse = (events: unknown[]) => generic.parse(webhookRequest(JSON.stringify({ events })), parseContext());

/** The examples of contract section 2 (the generic source has no provider fixtures). */
const CONTRACT_EXAMPLES = [
  { type: 'customer', id: 'C1', version: 3, name: 'Acme', internal: false, segment: 'Gold', channel: 'Partner' },
  { type: 'project', id: 'P1', version: 1, customerId: 'C1', status: 'open', internal: false },
  {
    type: 'invoice',
    id: 'I1',
    version: 2,
    customerId: 'C1',
    number: '2026-001',
    status: 'sent',
    invoiceDate: '2026-11-03',
    total: 1250.0,
    currency: 'EUR',
    projectId: 'P1',
  },
  { type: 'cost', id: 'K1', version: 1, projectId: 'P1', date: '2026-11-04', amount: 300.0, currency: 'EUR' },
  {
    type: 'deal',
    id: 'D1',
    version: 5,
    customerId: 'C1',
    ownerId: 'U1',
    status: 'open',
    stage: 'proposal',
    amount: 17707,
    currency: 'EUR',
    createdAt: '2026-09-01T10:00:00Z',
    closedAt: null,
    source: 'marketing',
  },
  {
    type: 'survey_response',
    id: 'R1',
    version: 1,
    customerId: 'C1',
    score: 9,
    submittedAt: '2026-11-05T08:00:00Z',
    comment: '...',
    email: 'a@b.c',
    segment: 'Gold',
    channel: 'Partner',
  },
  // Contract section 8.
  {
    type: 'activity',
    id: 'A1',
    version: 1,
    kind: 'meeting',
    ownerId: 'U1',
    customerId: 'C1',
    dealId: 'D1',
    dueAt: '2026-12-03T10:00:00Z',
    doneAt: null,
    subject: 'Demo',
  },
  // Issue 17: spend, for the cost of acquiring a customer.
  { type: 'spend', id: 'SP1', version: 1, date: '2026-11-02', amount: 1200.5, currency: 'EUR', channel: 'Ads' },
  { type: 'spend', id: 'SP2', version: 2, date: '2026-11-03', amount: 999, currency: 'JPY', campaign: 'Spring' },
];

describe('generic connector', () => {
  it('maps every example of the contract to its canonical entity', () => {
    const { events, ignored } = parse(CONTRACT_EXAMPLES);
    expect(ignored).toBe(0);
    expect(events.map((e) => [e.entity, e.id, e.mode === 'snapshot' ? e.version : null])).toEqual([
      ['customer', 'C1', [3]],
      ['project', 'P1', [1]],
      ['invoice', 'I1', [2]],
      ['cost', 'K1', [1]],
      ['deal', 'D1', [5]],
      ['survey_response', 'R1', [1]],
      ['activity', 'A1', [1]],
      ['spend', 'SP1', [1]],
      ['spend', 'SP2', [2]],
    ]);
    expect(events[2]).toMatchObject({
      data: { status: 'issued', number: '2026-001', total: 125000, currency: 'EUR', invoiceDate: '2026-11-03' },
    });
    expect(events[3]).toMatchObject({ data: { amount: 30000, date: '2026-11-04', projectId: 'P1' } });
    expect(events[4]).toMatchObject({
      data: { amount: 1770700, currency: 'EUR', status: 'open', stage: 'proposal', source: 'marketing' },
    });
    expect(events[5]).toMatchObject({ occurredAt: '2026-11-05T08:00:00Z', data: { score: 9, email: 'a@b.c' } });
    expect(events[6]).toMatchObject({
      data: {
        kind: 'meeting',
        ownerId: 'U1',
        customerId: 'C1',
        dealId: 'D1',
        dueAt: '2026-12-03T10:00:00Z',
        doneAt: null,
        subject: 'Demo',
      },
    });
  });

  it('maps spend in minor units of its currency, with its channel or campaign', () => {
    const { events } = parse(CONTRACT_EXAMPLES.slice(7));
    expect(events.map((e) => e.mode === 'snapshot' && e.data)).toEqual([
      { date: '2026-11-02', amount: 120050, currency: 'EUR', channel: 'Ads', campaign: null },
      { date: '2026-11-03', amount: 999, currency: 'JPY', channel: null, campaign: 'Spring' },
    ]);
    expect(() => parse([{ ...CONTRACT_EXAMPLES[7], amount: '12' }])).toThrow(/^events\[0\]\.amount: /);
    expect(() => parse([{ ...CONTRACT_EXAMPLES[7], date: '2026-11' }])).toThrow(/^events\[0\]\.date: /);
    expect(() => parse([{ ...CONTRACT_EXAMPLES[7], amount: 1.005 }])).toThrow(/^events\[0\]\.amount: /);
    const { events: deleted } = parse([{ ...CONTRACT_EXAMPLES[7], deleted: true }]);
    expect(deleted[0]).toMatchObject({ entity: 'spend', deleted: true });
  });

  it('refuses an activity of a kind it does not know, or a due time without its offset', () => {
    expect(() => parse([{ ...CONTRACT_EXAMPLES[6], kind: 'lunch' }])).toThrow(/^events\[0\]\.kind: /);
    expect(() => parse([{ ...CONTRACT_EXAMPLES[6], dueAt: '2026-12-03T10:00:00' }])).toThrow(/^events\[0\]\.dueAt: /);
  });

  it("takes a deal's stageChangedAt as an instant, and refuses a date without its time", () => {
    const at = '2026-10-02T09:30:00+02:00';
    expect(parse([{ ...CONTRACT_EXAMPLES[4], stageChangedAt: at }]).events[0]).toMatchObject({
      data: { stage: 'proposal', stageChangedAt: at },
    });
    expect(parse([CONTRACT_EXAMPLES[4]]).events[0]).not.toHaveProperty('data.stageChangedAt', expect.anything());
    expect(() => parse([{ ...CONTRACT_EXAMPLES[4], stageChangedAt: '2026-10-02' }])).toThrow(
      /^events\[0\]\.stageChangedAt: must be a date-time/,
    );
  });

  it('keeps deleted flags', () => {
    const { events, ignored } = parse([{ ...CONTRACT_EXAMPLES[1], deleted: true }]);
    expect(ignored).toBe(0);
    expect(events[0]).toMatchObject({ entity: 'project', deleted: true });
  });

  it('refuses a type it does not know, naming it and the types it takes (a typo would lose data)', () => {
    expect(() => parse([CONTRACT_EXAMPLES[0], { ...CONTRACT_EXAMPLES[2], type: 'invioce' }])).toThrow(
      'events[1].type: unknown type "invioce"; expected one of customer, project, invoice, cost, deal, survey_response, activity, spend',
    );
  });

  it('names the event and field that are wrong', () => {
    expect(() => parse([CONTRACT_EXAMPLES[0], { ...CONTRACT_EXAMPLES[2], total: '1250' }])).toThrow(
      /^events\[1\]\.total: /,
    );
    expect(() => parse([{ ...CONTRACT_EXAMPLES[3], amount: 1.005 }])).toThrow(/^events\[0\]\.amount: /);
  });

  describe('signature', () => {
    const secret = 'generic-secret';
    const body = Buffer.from(JSON.stringify({ events: CONTRACT_EXAMPLES }));
    const header = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const verify = (bytes: Buffer, signature: string) =>
      generic.verify(webhookRequest(bytes, { 'X-Signature': signature }), secret, NOW);

    it('verifies X-Signature over the raw body; one flipped byte in body or signature fails', () => {
      expect(() => verify(body, header)).not.toThrow();
      expect(() => verify(flipByte(body), header)).toThrow(SignatureError);
      expect(() => verify(body, flipMiddle(header))).toThrow(SignatureError);
    });
  });
});
