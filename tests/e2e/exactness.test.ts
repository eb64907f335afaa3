import { rebuildAggregates } from '@flash/app';
import { metricModel } from '@flash/core';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureText } from '../support/fixtures.js';
import { getJson } from '../support/http.js';
import { SECRETS, signedHeaders } from '../unit/connectors/helpers.js';

/**
 * The findings of issue 12 that live where data crosses a seam, each driven as a user meets it: real
 * provider payloads over real HTTP into the local stack, read back from the query API.
 */
describe('exact at the seams', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      env: { ...SECRETS, METRICS_TIMEZONE: 'UTC', BASE_CURRENCY: 'EUR' },
      port: 0,
      logLevel: 'SILENT',
      readCacheMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = async (source: string, payload: unknown, headers: Record<string, string> = {}) => {
    const body = Buffer.from(JSON.stringify(payload));
    const signed = signedHeaders(source, body, { now: new Date(), url: `${stack.url}/webhooks/${source}` });
    const response = await fetch(`${stack.url}/webhooks/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed, ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as { error?: string; accepted?: number } };
  };
  const generic = (events: unknown[], headers?: Record<string, string>) => post('generic', { events }, headers);
  const query = async <T>(path: string) => {
    await stack.settled();
    const { status, body } = await getJson<T>(`${stack.url}${path}`);
    expect(status).toBe(200);
    return body;
  };
  const deadLetters = async () => {
    const { body } = await getJson<{ queues: { deadLetters: { reason: string }[] }[] }>(
      `${stack.url}/local/dead-letters`,
    );
    return body.queues.flatMap((q) => q.deadLetters.map((d) => d.reason));
  };
  const fixture = <T>(name: string) => JSON.parse(fixtureText(name)) as T;

  describe('a delivery answered 202 is counted; one that would not be is a 400 naming the field', () => {
    it('refuses a generic customer name over 256 characters and counts nothing of the batch', async () => {
      const answer = await generic([
        { type: 'customer', id: 'L1', version: 1, name: 'ok' },
        { type: 'customer', id: 'L2', version: 1, name: 'n'.repeat(257) },
        { type: 'customer', id: 'L3', version: 1, name: 'ok' },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^events\[1\]\.name: .*256/);
    });

    it('refuses a Typeform hidden field over 256 characters', async () => {
      const payload = fixture<{ form_response: { hidden?: object } }>('typeform/form_response.nps.json');
      payload.form_response.hidden = { ...payload.form_response.hidden, segment: 's'.repeat(257) };
      const answer = await post('typeform', payload);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/segment.*256/);
    });

    it('refuses a Delighted comment over 10,000 characters', async () => {
      const payload = fixture<{ event_data: { comment: unknown } }>('delighted/survey_response.created.json');
      payload.event_data.comment = 'c'.repeat(10_001);
      const answer = await post('delighted', payload);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/comment.*10000/);
    });

    it('refuses a Stripe invoice id over 256 characters', async () => {
      const payload = fixture<{ data: { object: { id: string } } }>('stripe/invoice.finalized.json');
      payload.data.object.id = `in_${'x'.repeat(300)}`;
      const answer = await post('stripe', payload);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/id.*256/);
    });

    it('counts a detractor whose delivery carries a 257-character X-Request-Id, and alerts on it', async () => {
      const answer = await generic(
        [{ type: 'survey_response', id: 'XR1', version: 1, score: 2, submittedAt: '2026-06-05T08:00:00Z' }],
        { 'x-request-id': 'r'.repeat(257) },
      );
      expect(answer.status).toBe(202);
      const metrics = await query<{ nps: { detractors: number } }>('/v1/metrics?period=2026-06');
      expect(metrics.nps.detractors).toBe(1);
      const alerts = await query<{ alerts: { responseId: string }[] }>('/v1/alerts');
      expect(alerts.alerts.map((a) => a.responseId)).toContain('XR1');
    });

    it('refuses a date string of 2 KB', async () => {
      const answer = await generic([
        { type: 'cost', id: 'K2', version: 1, date: `2026-11-04${' '.repeat(2048)}`, amount: 5, currency: 'EUR' },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^events\[0\]\.date: /);
    });
  });

  describe('dates are strict ISO 8601', () => {
    it.each([
      ['a signed six-digit year', { invoiceDate: '-002025-06-15T00:00:00Z' }],
      ['a bare number', { invoiceDate: '12' }],
      ['a date with a comment Date.parse would skip', { invoiceDate: `2026-11-04 (${'x'.repeat(500_000)})` }],
      ['a date-time without an offset', { invoiceDate: '2026-11-04T10:00:00' }],
      ['a day that does not exist', { invoiceDate: '2026-02-30' }],
    ])('refuses %s with a 400, never a 5xx the sender would retry forever', async (_, field) => {
      const answer = await generic([
        { type: 'invoice', id: 'ID1', version: 1, number: 'N1', status: 'sent', total: 10, ...field },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^events\[0\]\.invoiceDate: must be an ISO 8601 date/);
    });
  });

  it('keeps an owner whose id holds key syntax out of another owner’s figures', async () => {
    const deal = (id: string, ownerId: string, amount: number) => ({
      type: 'deal',
      id,
      version: 1,
      ownerId,
      status: 'open',
      amount,
      currency: 'EUR',
      createdAt: '2026-07-02T10:00:00Z',
    });
    expect((await generic([deal('KD1', 'U7', 100), deal('KD2', 'U7|#', 900)])).status).toBe(202);
    const u7 = await query<{ created: number; openValue: number }>('/v1/pipeline?period=2026-07&owner=U7');
    expect(u7).toMatchObject({ created: 1, openValue: 100 });
    const other = await query<{ created: number; openValue: number }>(
      `/v1/pipeline?period=2026-07&owner=${encodeURIComponent('U7|#')}`,
    );
    expect(other).toMatchObject({ created: 1, openValue: 900 });
  });

  it('lists detractors newest first by the instant they were submitted, whatever their offset', async () => {
    const response = (id: string, submittedAt: string) => ({
      type: 'survey_response',
      id,
      version: 1,
      score: 3,
      submittedAt,
    });
    expect(
      (
        await generic([
          // 09:30+02:00 is 07:30Z, before 08:00Z; as text it sorts after.
          response('OFF1', '2026-08-05T09:30:00+02:00'),
          response('OFF2', '2026-08-05T08:00:00Z'),
          response('OFF3', '2026-08-05T07:00:00-03:00'),
        ])
      ).status,
    ).toBe(202);
    const list = await query<{ detractors: { id: string }[] }>('/v1/nps/detractors?period=2026-08');
    expect(list.detractors.map((d) => d.id)).toEqual(['OFF3', 'OFF2', 'OFF1']);
  });

  it('refuses a generic event of a type it does not know, naming the allowed ones', async () => {
    const answer = await generic([
      { type: 'invioce', id: 'T1', version: 1, status: 'sent', number: 'N', invoiceDate: '2026-11-03', total: 1 },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(
      'events[0].type: unknown type "invioce"; expected one of customer, project, invoice, cost, deal, survey_response, activity, spend',
    );
  });

  it('computes requirements from the exact hit rate: 2 won of 3 and a budget of 100,000 need 150,000', async () => {
    const closed = (id: string, status: 'won' | 'lost') => ({
      type: 'deal',
      id,
      version: 1,
      ownerId: 'REQ',
      status,
      amount: 1000,
      currency: 'EUR',
      createdAt: '2026-03-01T10:00:00Z',
      closedAt: '2026-03-11T10:00:00Z',
    });
    expect((await generic([closed('RQ1', 'won'), closed('RQ2', 'won'), closed('RQ3', 'lost')])).status).toBe(202);
    const requirements = await query<{ hitRate: number; requiredNewValuePerMonth: number }>(
      '/v1/pipeline/requirements?budget=100000&owner=REQ&period=2026-04',
    );
    expect(requirements.hitRate).toBe(0.667);
    expect(requirements.requiredNewValuePerMonth).toBe(150_000);
  });

  it('sent nothing answered 202 to the dead letters, and a rebuild finds every figure as it is', async () => {
    await stack.settled();
    expect(await deadLetters()).toEqual([]);
    const report = await rebuildAggregates({
      store: stack.store,
      model: metricModel,
      ctx: stack.ctx,
      now: () => new Date(),
      mode: 'verify',
    });
    expect(report.drift).toEqual([]);
  });
});
