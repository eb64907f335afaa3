import { describe, expect, it } from 'vitest';
import { connector, fixtureJson, parseContext, parseFixture, signatureVectorSuite, webhookRequest } from './helpers.js';

const typeform = connector('typeform');
const parse = (body: unknown) => typeform.parse(webhookRequest(JSON.stringify(body)), parseContext());

const withResponse = (changes: Record<string, unknown>, event: Record<string, unknown> = {}) => {
  const body = fixtureJson('typeform/form_response.nps.json');
  return { ...body, ...event, form_response: { ...(body.form_response as object), ...changes } };
};

describe('typeform connector', () => {
  it('maps the NPS fixture to a survey response', () => {
    expect(parseFixture('typeform', 'typeform/form_response.nps.json')).toEqual({
      ignored: 0,
      events: [
        {
          entity: 'survey_response',
          source: 'typeform',
          id: '9q3k2m8x7z1p0r4tkr1h9q3k2m8x7z1p',
          mode: 'snapshot',
          version: [1],
          deleted: false,
          occurredAt: '2026-03-18T14:21:47Z',
          deliveryId: 'delivery-1',
          data: {
            score: 9,
            submittedAt: '2026-03-18T14:21:47Z',
            customerId: 'cus_SXq8aB2fK1LmNo',
            comment: 'Support answers within the hour, but the invoice export still needs manual work.',
            email: 'anna.berg@nordlicht.example',
            segment: null,
            channel: null,
          },
        },
      ],
    });
  });

  it('ignores partial responses and responses without an NPS answer', () => {
    expect(parse(withResponse({}, { event_type: 'form_response_partial' }))).toEqual({ events: [], ignored: 1 });
    expect(parse(withResponse({ answers: [] }))).toEqual({ events: [], ignored: 1 });
  });

  it('names the field when a required one is wrong', () => {
    expect(() => parse(withResponse({ submitted_at: 'yesterday' }))).toThrow(/^form_response\.submitted_at: /);
  });

  describe('signature', () => {
    signatureVectorSuite('typeform');
  });
});
