import { applyEvent, type EntityState } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { connector, fixtureJson, parseContext, parseFixture, signatureVectorSuite, webhookRequest } from './helpers.js';

const delighted = connector('delighted');
const parse = (body: unknown) => delighted.parse(webhookRequest(JSON.stringify(body)), parseContext());

const RESPONSE = {
  entity: 'survey_response',
  source: 'delighted',
  id: '88217431',
  mode: 'snapshot',
  deleted: false,
  deliveryId: 'delivery-1',
};
const DATA = {
  score: 6,
  submittedAt: '2026-03-18T14:22:00.000Z',
  customerId: 'cus_SXq8aB2fK1LmNo',
  email: 'anna.berg@nordlicht.example',
  segment: null,
  channel: null,
};

describe('delighted connector', () => {
  it('maps survey_response.created (no comment yet), ordered by created_at', () => {
    expect(parseFixture('delighted', 'delighted/survey_response.created.json')).toEqual({
      ignored: 0,
      events: [
        {
          ...RESPONSE,
          version: [1773843720],
          occurredAt: '2026-03-18T14:22:00.000Z',
          data: { ...DATA, comment: null },
        },
      ],
    });
  });

  it('maps survey_response.updated with its comment, ordered by updated_at', () => {
    expect(parseFixture('delighted', 'delighted/survey_response.updated.json').events).toEqual([
      {
        ...RESPONSE,
        version: [1773844320],
        occurredAt: '2026-03-18T14:32:00.000Z',
        data: { ...DATA, comment: 'Support is fast, but the invoice export still needs manual work.' },
      },
    ]);
  });

  it('keeps the updated response when the created one arrives late', () => {
    const created = parseFixture('delighted', 'delighted/survey_response.created.json').events[0];
    const updated = parseFixture('delighted', 'delighted/survey_response.updated.json').events[0];
    if (!created || !updated) throw new Error('fixtures parse to one event each');
    const state = [updated, created].reduce<EntityState | undefined>((s, e) => applyEvent(s, e) ?? s, undefined);
    expect(state?.data).toMatchObject({ comment: 'Support is fast, but the invoice export still needs manual work.' });
  });

  it('ignores unsubscribes and non-NPS surveys', () => {
    expect(parse({ event_type: 'unsubscribe.created', event_data: {} })).toEqual({ events: [], ignored: 1 });
    const body = fixtureJson('delighted/survey_response.created.json');
    const csat = { ...body, event_data: { ...(body.event_data as object), survey_type: 'csat' } };
    expect(parse(csat)).toEqual({ events: [], ignored: 1 });
  });

  it('names the field when a required one is wrong', () => {
    const body = fixtureJson('delighted/survey_response.created.json');
    const bad = { ...body, event_data: { ...(body.event_data as object), score: '6' } };
    expect(() => parse(bad)).toThrow(/^event_data\.score: /);
    const farFuture = { ...body, event_data: { ...(body.event_data as object), created_at: 1e20 } };
    expect(() => parse(farFuture)).toThrow(/^event_data\.created_at: /);
  });

  describe('signature', () => {
    signatureVectorSuite('delighted');
  });
});
