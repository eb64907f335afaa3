import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, genericEvents, hubspotBatch, SEAM_SECRETS } from '../support/provider-payloads.js';
import { SEAM_NOW } from '../support/seam-pipeline.js';

/**
 * The findings of issue 12 that live in the local stack's own wiring (its HTTP server, its alert route),
 * through the whole local pipeline over real HTTP: server, in-process bus, durable queues, DynamoDB Local.
 */

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    env: { ...SEAM_SECRETS, METRICS_TIMEZONE: 'Europe/Oslo' },
    port: 0,
    logLevel: 'SILENT',
    now: () => SEAM_NOW,
    readCacheMs: 0,
  });
});
afterAll(async () => {
  await stack?.stop();
});

const post = async (d: Delivery) => {
  const response = await fetch(`${stack.url}/webhooks/${d.source}`, {
    method: 'POST',
    headers: d.headers,
    body: d.body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const get = async <T = Record<string, unknown>>(path: string) => (await fetch(`${stack.url}${path}`)).json() as T;

describe('8. HubSpot signatures on the local stack', () => {
  it('accepts a HubSpot delivery signed over the plain-HTTP URL it was posted to', async () => {
    const created = Date.parse('2026-11-06T09:00:00Z');
    const objectId = 267448869001;
    const answer = await post(
      hubspotBatch(
        [
          { kind: 'creation', objectId, occurredAt: created },
          { kind: 'property', objectId, occurredAt: created, name: 'dealstage', value: 'appointmentscheduled' },
        ],
        SEAM_NOW,
        `${stack.url}/webhooks/hubspot`,
      ),
    );
    expect(answer).toEqual({ status: 202, body: { accepted: expect.any(Number), ignored: 0 } });
    await stack.settled();
    expect(await get('/v1/pipeline?period=2026-11')).toMatchObject({ openCount: 1 });
  });
});

describe('10. alerts follow the applied state', () => {
  it('raises no alert for a detractor state that arrives after a newer state of the same response', async () => {
    const response = (id: string, version: number, score: number) => ({
      type: 'survey_response',
      id,
      version,
      score,
      submittedAt: '2026-11-05T08:00:00Z',
      customerId: '7001',
      comment: score <= 6 ? 'Too slow' : 'Fine now',
    });
    expect((await post(genericEvents([response('R-stale', 2, 9)], SEAM_NOW))).status).toBe(202);
    await stack.settled();
    // Version 1 (a detractor) arrives late: superseded before it could apply.
    expect((await post(genericEvents([response('R-stale', 1, 3)], SEAM_NOW))).status).toBe(202);
    // A real detractor, delivered twice, for contrast: exactly one alert.
    expect((await post(genericEvents([response('R-real', 1, 2)], SEAM_NOW))).status).toBe(202);
    expect((await post(genericEvents([response('R-real', 1, 2)], SEAM_NOW))).status).toBe(202);
    await stack.settled();

    const { alerts } = await get<{ alerts: { responseId: string }[] }>('/v1/alerts');
    expect(alerts.map((a) => a.responseId).sort()).toEqual(['R-real']);
    expect(await get('/v1/metrics?period=2026-11')).toMatchObject({
      nps: { promoters: 1, detractors: 1, responses: 2 },
    });
  });
});
