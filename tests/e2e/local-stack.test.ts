import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactFixture } from '../support/fixtures.js';
import { eventually, getJson, postWebhook, signHexSha256, signTypeform } from '../support/http.js';

const secrets = { WEBHOOK_SECRET_TYPEFORM: 'tf_test_secret_6a2e', WEBHOOK_SECRET_DELIGHTED: 'dl_test_api_key_7b1c' };

interface Metrics {
  period: string;
  nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
}

describe('local stack over HTTP', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      env: { ...secrets, METRICS_TIMEZONE: 'Europe/Oslo' },
      port: 0,
      logLevel: 'SILENT',
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const metrics = (period: string) => getJson<Metrics>(`${stack.url}/v1/metrics?period=${period}`);
  const alerts = async () =>
    (await getJson<{ alerts: { responseId: string; score: number; customerId: string }[] }>(`${stack.url}/v1/alerts`))
      .body.alerts;

  // Live: counted with no batch job to wait for. How fast is the bench's freshness measure, not asserted here.
  it('counts a signed Typeform NPS response, live', async () => {
    const body = compactFixture('typeform/form_response.nps.json');
    const answer = await postWebhook(stack.url, 'typeform', body, {
      'typeform-signature': signTypeform(secrets.WEBHOOK_SECRET_TYPEFORM, body),
    });
    expect(answer).toEqual({ status: 202, body: { accepted: 1, ignored: 0 } });
    await eventually(async () => ((await metrics('2026-03')).body.nps.promoters === 1 ? true : undefined), 10_000);
    expect((await metrics('2026-03')).body.nps).toMatchObject({ score: 100, promoters: 1, responses: 1 });
  });

  it('counts a detractor once and alerts once, even when the webhook is delivered twice', async () => {
    const body = compactFixture('delighted/survey_response.created.json');
    const headers = { 'x-delighted-webhook-signature': signHexSha256(secrets.WEBHOOK_SECRET_DELIGHTED, body) };
    expect((await postWebhook(stack.url, 'delighted', body, headers)).status).toBe(202);
    expect((await postWebhook(stack.url, 'delighted', body, headers)).status).toBe(202);
    await eventually(async () => ((await metrics('2026-03')).body.nps.detractors === 1 ? true : undefined), 1000);
    await eventually(async () => ((await alerts()).length === 1 ? true : undefined), 1000);
    await stack.settled();
    expect((await metrics('2026-03')).body.nps).toEqual({
      score: 0,
      promoters: 1,
      passives: 0,
      detractors: 1,
      responses: 2,
      updatedAt: expect.any(String),
    });
    expect(await alerts()).toEqual([
      expect.objectContaining({
        responseId: '88217431',
        score: 6,
        customerId: 'cus_SXq8aB2fK1LmNo',
        contact: 'anna.berg@nordlicht.example',
      }),
    ]);
  });

  it('replaces the response with its later edit, without a second alert, and lists it with its comment', async () => {
    const body = compactFixture('delighted/survey_response.updated.json');
    const headers = { 'x-delighted-webhook-signature': signHexSha256(secrets.WEBHOOK_SECRET_DELIGHTED, body) };
    expect((await postWebhook(stack.url, 'delighted', body, headers)).status).toBe(202);
    await stack.settled();
    const detractors = await getJson<{ detractors: { comment: string | null; contact: string }[] }>(
      `${stack.url}/v1/nps/detractors?period=2026-03`,
    );
    expect(detractors.body.detractors).toEqual([
      expect.objectContaining({
        score: 6,
        comment: 'Support is fast, but the invoice export still needs manual work.',
        contact: 'anna.berg@nordlicht.example',
        customerId: 'cus_SXq8aB2fK1LmNo',
      }),
    ]);
    expect((await metrics('2026-03')).body.nps.responses).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(await alerts()).toHaveLength(1);
  });

  it('refuses a wrong signature with 401 and counts nothing', async () => {
    const body = compactFixture('typeform/form_response.nps.json').replace('"number":9', '"number":0');
    const answer = await postWebhook(stack.url, 'typeform', body, {
      'typeform-signature': signTypeform('wrong', body),
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/Typeform-Signature/);
  });

  it('answers 404 for an unknown source and 503 naming the variable for an unconfigured one', async () => {
    expect((await postWebhook(stack.url, 'nosuch', '{}', {})).status).toBe(404);
    const unconfigured = await postWebhook(stack.url, 'generic', '{"events":[]}', {});
    expect(unconfigured).toEqual({
      status: 503,
      body: { error: 'source "generic" is not configured: set WEBHOOK_SECRET_GENERIC' },
    });
  });

  it('serves an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await getJson(`${stack.url}/v1/metrics?period=2026-03`);
    const etag = first.headers.get('etag') ?? '';
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const second = await getJson(`${stack.url}/v1/metrics?period=2026-03`, { 'if-none-match': etag });
    expect(second.status).toBe(304);
  });

  it('answers 400 naming the parameter for a bad period', async () => {
    const answer = await getJson(`${stack.url}/v1/metrics?period=2026-13`);
    expect(answer).toMatchObject({
      status: 400,
      body: { error: 'period "2026-13" is not a month (YYYY-MM) or a year (YYYY)' },
    });
  });
});

describe('local stack with API_TOKEN', () => {
  it('requires the bearer token on /v1', async () => {
    const stack = await startLocalStack({ env: { API_TOKEN: 's3cret' }, port: 0, logLevel: 'SILENT' });
    try {
      expect((await getJson(`${stack.url}/v1/metrics`)).status).toBe(401);
      expect((await getJson(`${stack.url}/v1/metrics`, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await getJson(`${stack.url}/v1/metrics`, { authorization: 'Bearer s3cret' })).status).toBe(200);
    } finally {
      await stack.stop();
    }
  });
});
