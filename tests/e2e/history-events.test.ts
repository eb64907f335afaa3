import { createServer } from 'node:http';
import { MAX_BODY_BYTES, MAX_CANONICAL_EVENTS_PER_REQUEST } from '@flash/app';
import { retryAfterMs } from '@flash/connectors';
import { DeliveryRefusedError, httpSink, requestBodies } from '@flash/history';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoice, surveyResponse } from '../support/events.js';
import { getJson, listenLocally } from '../support/http.js';

const TOKEN = 'history-test-token';

describe('POST /v1/events: history delivered through the ingest gate', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ env: { API_TOKEN: TOKEN }, port: 0, logLevel: 'SILENT', readCacheMs: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const metrics = async (period: string) =>
    (
      await getJson<{ nps: { responses: number; detractors: number }; billing: { thisMonth: number } }>(
        `${stack.url}/v1/metrics?period=${period}`,
        { authorization: `Bearer ${TOKEN}` },
      )
    ).body;

  it('counts delivered events once, however often they are delivered', async () => {
    const sink = httpSink({ target: stack.url, token: TOKEN });
    const events = [
      surveyResponse('h-r1', 1, 3, '2025-04-02T09:00:00Z'),
      surveyResponse('h-r2', 1, 10, '2025-04-03T09:00:00Z'),
      invoice('h-i1', 2, { status: 'issued', total: 125_050, invoiceDate: '2025-04-10' }),
    ];
    await sink.deliver(events);
    await sink.deliver(events);
    await stack.settled();
    const april = await metrics('2025-04');
    expect(april.nps).toMatchObject({ responses: 2, detractors: 1 });
    expect(april.billing.thisMonth).toBe(1250.5);
  });

  it('refuses a wrong token with 401 and a malformed event with 400 naming it, and applies nothing', async () => {
    const good = surveyResponse('h-r3', 1, 9, '2025-05-02T09:00:00Z');
    await expect(httpSink({ target: stack.url, token: 'wrong' }).deliver([good])).rejects.toThrow(
      /answered 401: missing or wrong bearer token/,
    );
    const bad = { ...surveyResponse('h-r4', 1, 9, '2025-05-02T09:00:00Z'), occurredAt: 'yesterday' };
    await expect(httpSink({ target: stack.url, token: TOKEN }).deliver([good, bad as typeof good])).rejects.toThrow(
      DeliveryRefusedError,
    );
    const refused = await fetch(`${stack.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ events: [good, bad] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /^event 1 \(survey_response "h-r4"\): occurredAt/,
    );
    await stack.settled();
    expect((await metrics('2025-05')).nps.responses).toBe(0);
  });

  it('refuses a body that is not {"events": [...]}', async () => {
    for (const body of ['[]', '{"events": []}', '{"events": [], "more": 1}', 'not json']) {
      const response = await fetch(`${stack.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body,
      });
      expect(response.status, body).toBe(400);
    }
  });
});

describe('httpSink', () => {
  it('cuts requests by event count and by body size, losing no event', () => {
    const many = Array.from({ length: MAX_CANONICAL_EVENTS_PER_REQUEST * 2 + 1 }, (_, i) =>
      surveyResponse(`r${i}`, 1, 9),
    );
    const byCount = requestBodies(many).map((body) => (JSON.parse(body) as { events: { id: string }[] }).events);
    expect(byCount.map((events) => events.length)).toEqual([
      MAX_CANONICAL_EVENTS_PER_REQUEST,
      MAX_CANONICAL_EVENTS_PER_REQUEST,
      1,
    ]);
    const big = Array.from({ length: 120 }, (_, i) =>
      surveyResponse(`big${i}`, 1, 2, '2026-11-05T08:00:00Z', { comment: 'x'.repeat(9_000) + 'é'.repeat(500) }),
    );
    const bodies = requestBodies(big);
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(
      bodies.flatMap((body) => (JSON.parse(body) as { events: { id: string }[] }).events.map((e) => e.id)),
    ).toEqual(big.map((e) => e.id));
  });

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });

  it('waits as a 429 asks and retries a 503, then delivers', async () => {
    const answers = [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 503, headers: {} },
      { status: 202, headers: {} },
    ];
    const seen: number[] = [];
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        seen.push(Date.now());
        const answer = answers.shift() ?? { status: 500, headers: {} };
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(JSON.stringify(answer.status === 202 ? { accepted: 1 } : { error: 'busy' }));
      });
    });
    const { url, stop } = await listenLocally(server);
    try {
      await httpSink({ target: url, baseDelayMs: 1 }).deliver([surveyResponse('r', 1, 9)]);
      expect(seen).toHaveLength(3);
      expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(950);
    } finally {
      await stop();
    }
  });
});
