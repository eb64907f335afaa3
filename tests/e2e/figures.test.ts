import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson } from '../support/http.js';
import { GENERIC_SECRET, postGeneric } from '../support/webhooks.js';

/** The figures below are for November 2026, asked while it is the current month in Oslo. */
const NOW = new Date('2026-11-20T12:00:00Z');

describe('every flash figure through the generic webhook', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET, METRICS_TIMEZONE: 'Europe/Oslo', BASE_CURRENCY: 'EUR' },
      port: 0,
      logLevel: 'SILENT',
      readCacheMs: 0,
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const post = (events: unknown[]) => postGeneric(stack.url, events);
  /** Invoice I1 of customer C1, 1,250 EUR on 3 November, in one of its states. */
  const invoiceI1 = (version: number, status: 'sent' | 'void') => ({
    type: 'invoice',
    id: 'I1',
    version,
    customerId: 'C1',
    number: '2026-001',
    status,
    invoiceDate: '2026-11-03',
    total: 1250,
    currency: 'EUR',
  });

  it('serves billing, margin, customers and pipeline from ERP and CRM events', async () => {
    const answer = await post([
      { type: 'customer', id: 'C1', version: 1, name: 'Acme', internal: false },
      { type: 'customer', id: 'INT', version: 1, name: 'Ourselves', internal: true },
      { type: 'project', id: 'P1', version: 1, customerId: 'C1', status: 'open', internal: false },
      { type: 'project', id: 'P2', version: 1, customerId: 'INT', status: 'open', internal: false },
      invoiceI1(1, 'sent'),
      {
        type: 'invoice',
        id: 'I0',
        version: 2,
        customerId: 'C1',
        number: '2026-000',
        status: 'sent',
        invoiceDate: '2026-10-03',
        total: 1000,
        currency: 'EUR',
      },
      {
        type: 'invoice',
        id: 'I2',
        version: 1,
        customerId: 'C1',
        number: null,
        status: 'sent',
        invoiceDate: '2026-11-04',
        total: 999,
        currency: 'EUR',
      },
      {
        type: 'invoice',
        id: 'IU',
        version: 1,
        customerId: 'C1',
        number: 'U-1',
        status: 'sent',
        invoiceDate: '2026-11-05',
        total: 10,
        currency: 'USD',
      },
      { type: 'cost', id: 'K1', version: 1, projectId: 'P1', date: '2026-11-04', amount: 300.0, currency: 'EUR' },
      { type: 'cost', id: 'K2', version: 1, projectId: 'P2', date: '2026-11-04', amount: 700.0, currency: 'EUR' },
      {
        type: 'deal',
        id: 'D1',
        version: 5,
        customerId: 'C2',
        ownerId: 'U1',
        status: 'open',
        stage: 'proposal',
        amount: 17707,
        currency: 'EUR',
        createdAt: '2026-11-01T10:00:00Z',
        closedAt: null,
        source: 'marketing',
      },
      {
        type: 'deal',
        id: 'D2',
        version: 1,
        customerId: 'C1',
        ownerId: 'U1',
        status: 'won',
        stage: 'won',
        amount: 20000,
        currency: 'EUR',
        createdAt: '2026-09-01T10:00:00Z',
        closedAt: '2026-11-10T10:00:00Z',
      },
    ]);
    expect(answer).toEqual({ status: 202, body: { accepted: 12, ignored: 0 } });
    await stack.settled();
    const { body } = await getJson<Record<string, unknown>>(`${stack.url}/v1/metrics?period=2026-11`);
    expect(body).toMatchObject({
      period: '2026-11',
      timezone: 'Europe/Oslo',
      currency: 'EUR',
      billing: {
        thisMonth: 1250,
        lastMonth: 1000,
        changePct: 25,
        otherCurrencies: { USD: { thisMonth: 10, lastMonth: 0 } },
      },
      margin: { year: 2026, billing: 2250, cost: 300, margin: 1950, marginPct: 86.7 },
      // C1 has an open project; C2 an open deal (and is the one prospect); INT is internal.
      activeCustomers: 2,
      prospectsInPipeline: 1,
      pipeline: {
        created: 1,
        won: 1,
        lost: 0,
        wonValue: 20000,
        openCount: 1,
        openValue: 17707,
        hitRate: 1,
        avgDealSize: 20000,
        leadTimeDays: 70,
      },
    });
    expect((body.billing as { updatedAt: string }).updatedAt).toEqual(expect.any(String));
  });

  it('voids an invoice with a newer version and ignores an older one', async () => {
    await post([invoiceI1(2, 'void')]);
    await post([invoiceI1(1, 'sent')]);
    await stack.settled();
    const { body } = await getJson<{ billing: { thisMonth: number } }>(`${stack.url}/v1/metrics?period=2026-11`);
    expect(body.billing.thisMonth).toBe(0);
  });

  it('answers the pipeline of one owner and the requirements, and 400 without a budget', async () => {
    const owner = await getJson<Record<string, unknown>>(`${stack.url}/v1/pipeline?period=2026-11&owner=U1`);
    expect(owner.body).toMatchObject({ owner: 'U1', created: 1, won: 1, openValue: 17707 });
    const requirements = await getJson<Record<string, unknown>>(
      `${stack.url}/v1/pipeline/requirements?budget=100000&period=2026-12&months=3`,
    );
    expect(requirements.body).toMatchObject({
      hitRate: 1,
      avgDealSize: 20000,
      requiredNewValuePerMonth: 100000,
      requiredNewCountPerMonth: 5,
      actualPipelineValue: 17707,
    });
    const missing = await getJson(`${stack.url}/v1/pipeline/requirements`);
    expect(missing).toMatchObject({ status: 400, body: { error: expect.stringMatching(/budget is required/) } });
    expect((await getJson(`${stack.url}/v1/pipeline/requirements?budget=5&months=99`)).body).toEqual({
      error: 'months must be a whole number from 1 to 36',
    });
  });

  it('refuses a generic event with a wrong type in a required field, naming it', async () => {
    const answer = await post([
      { type: 'invoice', id: 'I9', version: 1, status: 'sent', total: '12', invoiceDate: '2026-11-01' },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^events\[0\]\.total: /);
  });

  it('raises a detractor alert that says what is at stake with the customer', async () => {
    // The stake is read when the alert is raised: the customer's labels must have been applied by then.
    await post([
      { type: 'customer', id: 'C1', version: 2, name: 'Acme', internal: false, segment: 'Gold', ownerId: 'U1' },
    ]);
    await stack.settled();
    await post([
      {
        type: 'survey_response',
        id: 'R9',
        version: 1,
        customerId: 'C1',
        score: 3,
        submittedAt: '2026-11-20T08:00:00Z',
        comment: 'Too slow',
      },
    ]);
    await stack.settled();
    const { value: alerts } = await eventually(async () => {
      const { body } = await getJson<{ alerts: { responseId: string; atStake: unknown }[] }>(`${stack.url}/v1/alerts`);
      return body.alerts.length > 0 ? body.alerts : undefined;
    }, 2000);
    // C1: invoice I0 (1,000, October) counts; I1 was voided; the open deal D1 belongs to C2, not C1.
    expect(alerts).toEqual([
      expect.objectContaining({
        responseId: 'R9',
        customerName: 'Acme',
        // No user maps owner U1 to a name in this stack.
        ownerName: null,
        atStake: {
          customerId: 'C1',
          customerName: 'Acme',
          currency: 'EUR',
          billingThisYear: 1000,
          openPipelineValue: 0,
          openDeals: 0,
          segment: 'Gold',
          channel: null,
          owner: 'U1',
        },
      }),
    ]);
  });

  it('`npm run rebuild -- --verify` finds no drift in the running stack', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'packages/local/src/rebuild-cli.ts', '--verify'], {
      env: { ...process.env, DYNAMODB_ENDPOINT: stack.dynamo.endpoint, METRICS_TIMEZONE: 'Europe/Oslo' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ mode: 'verify', entities: 13, drift: [] });
  });
});
