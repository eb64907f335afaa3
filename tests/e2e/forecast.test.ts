import { rebuildAggregates } from '@flash/app';
import { metricModel } from '@flash/core';
import { type LocalStack, startLocalStack } from '@flash/local';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipedriveDealChange } from '../support/pipedrive.js';
import { type Delivery, type HubspotEvent, hubspotBatch, SEAM_SECRETS } from '../support/provider-payloads.js';

/**
 * Stage history, time in stage, learnt probabilities, budgets and the forecast across every seam: real HubSpot
 * and Pipedrive deliveries over HTTP into the local stack (bus, queue, aggregator, DynamoDB Local), the
 * configuration routes, and the answers read back over HTTP, against figures worked out by hand.
 */
const NOW = new Date('2026-12-10T10:00:00Z');
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T09:00:00Z');

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    env: { ...SEAM_SECRETS, PIPEDRIVE_BASIC_AUTH: 'hook-user:hook-pass', METRICS_TIMEZONE: 'UTC' },
    port: 0,
    logLevel: 'SILENT',
    now: () => NOW,
    readCacheMs: 0,
  });
});
afterAll(async () => {
  await stack?.stop();
});

const post = async (d: Delivery) =>
  (await fetch(`${stack.url}/webhooks/${d.source}`, { method: 'POST', headers: d.headers, body: d.body })).status;
const hubspot = (events: HubspotEvent[]) => post(hubspotBatch(events, NOW, `${stack.url}/webhooks/hubspot`));
const pipedrive = async (body: string) =>
  (
    await fetch(`${stack.url}/webhooks/pipedrive`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('hook-user:hook-pass').toString('base64')}`,
      },
      body,
    })
  ).status;
const put = async (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const get = async <T = Record<string, unknown>>(path: string) => (await fetch(`${stack.url}${path}`)).json() as T;

const stage = (objectId: number, hours: number, value: string): HubspotEvent => ({
  kind: 'property',
  objectId,
  occurredAt: T0 + hours * HOUR,
  name: 'dealstage',
  value,
});
const property = (objectId: number, name: string, value: string): HubspotEvent => ({
  kind: 'property',
  objectId,
  occurredAt: T0,
  name,
  value,
});

describe('forecast against budget, through the local stack', () => {
  it('learns stage probabilities and time in stage from real deliveries, and forecasts against the budgets', async () => {
    // HubSpot 5001: appointmentscheduled 48 h, qualifiedtobuy 72 h, won (12,000 EUR on 7 November).
    // Delivered newest first, and its middle change again later: the history is the same.
    expect(
      await hubspot([
        stage(5001, 120, 'closedwon'),
        stage(5001, 48, 'qualifiedtobuy'),
        property(5001, 'amount', '12000'),
        property(5001, 'deal_currency_code', 'EUR'),
        { kind: 'creation', objectId: 5001, occurredAt: T0 },
        stage(5001, 0, 'appointmentscheduled'),
      ]),
    ).toBe(202);
    // HubSpot 5002: appointmentscheduled 24 h, then lost there.
    expect(await hubspot([stage(5002, 0, 'appointmentscheduled'), stage(5002, 24, 'closedlost')])).toBe(202);
    // HubSpot 5004: in a pipeline stage whose id is "2", like Pipedrive's stage 2, for 24 hours, then lost.
    // HubSpot's 2 and Pipedrive's 2 are two stages.
    expect(await hubspot([stage(5004, 0, '2'), stage(5004, 24, 'closedlost')])).toBe(202);
    // HubSpot 5003: open in qualifiedtobuy, 5,000 EUR, expected to close on 15 January.
    expect(
      await hubspot([
        stage(5003, 0, 'qualifiedtobuy'),
        property(5003, 'amount', '5000'),
        property(5003, 'deal_currency_code', 'EUR'),
        property(5003, 'closedate', String(Date.parse('2027-01-15T12:00:00Z'))),
      ]),
    ).toBe(202);
    // Pipedrive 9001: stage 1 from 3 November 00:00 for 36 hours, then stage 2, 8,000 EUR expected 20 December.
    const added = new Date('2026-11-03T00:00:00Z');
    const moved = new Date(added.getTime() + 36 * HOUR);
    const change = (at: Date, stageId: number) =>
      pipedriveDealChange({
        id: 9001,
        ownerId: 77,
        at,
        addedAt: added,
        status: 'open',
        value: 8000,
        stageId,
        expectedCloseDate: '2026-12-20',
      });
    expect(await pipedrive(change(moved, 2))).toBe(202);
    expect(await pipedrive(change(added, 1))).toBe(202);
    await stack.settled();
    expect(await hubspot([stage(5001, 48, 'qualifiedtobuy')])).toBe(202);
    expect(await pipedrive(change(added, 1))).toBe(202);

    // Configuration: a probability for Pipedrive's stage 2 (no closed deal reached it yet), Pipedrive's stage
    // labels, and budgets.
    expect((await put('/v1/stage-probabilities', { probabilities: { pipedrive: { '2': 0.4 } } })).status).toBe(200);
    expect((await put('/v1/stages/pipedrive', { labels: { '1': 'Qualified', '2': 'Proposal made' } })).status).toBe(
      200,
    );
    expect((await put('/v1/budgets/2026-11', { currency: 'EUR', company: 10_000 })).status).toBe(200);
    expect(
      (await put('/v1/budgets/2026-12', { currency: 'EUR', company: 20_000, owners: { '77': 5_000 } })).status,
    ).toBe(200);
    // Refused with a clear 400, nothing stored.
    const refused = await put('/v1/budgets/2026-13', { currency: 'EUR', company: 1 });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: expect.stringContaining('2026-13') });
    const negative = await put('/v1/budgets/2027-01', { currency: 'EUR', company: -5 });
    expect(negative.status).toBe(400);
    expect(await negative.json()).toEqual({ error: expect.stringContaining('company') });
    expect((await put('/v1/stage-probabilities', { probabilities: { pipedrive: { x: 1.5 } } })).status).toBe(400);
    // A stage id without its source is refused, saying the shape: the override set before stays.
    const sourceless = await put('/v1/stage-probabilities', { probabilities: { '2': 0.4 } });
    expect(sourceless.status).toBe(400);
    expect(await sourceless.json()).toEqual({
      error: expect.stringMatching(
        /^probabilities\.2: not a source: .*; give each source its stages: \{"pipedrive": \{"4": 0\.4\}\}$/,
      ),
    });
    await stack.settled();

    // appointmentscheduled: stays 48 h and 24 h (mean and median 1.5 days), 5002 lost there; reached by 5001
    // (won) and 5002 (lost): 0.5. qualifiedtobuy: 72 h, reached by 5001: 1. HubSpot's 2: 24 h, 5004 lost there,
    // reached by 5004: 0. Pipedrive's 1: 36 h; its 2: the override only. Rows by source, then stage id; labels
    // where configured.
    const row = (
      source: string,
      stage: string,
      stageName: string | null,
      figures: { stays: number; days: number | null; lost: number; closed: number; won: number; learnt: number | null },
      override: number | null,
    ) => ({
      source,
      stage,
      stageName,
      stays: figures.stays,
      meanDays: figures.days,
      medianDays: figures.days,
      lost: figures.lost,
      closedReached: figures.closed,
      wonReached: figures.won,
      learntProbability: figures.learnt,
      override,
      probability: override ?? figures.learnt,
    });
    const stages = await get<{ stages: Record<string, unknown>[]; lostWithoutStage: number }>('/v1/pipeline/stages');
    expect(stages.stages).toEqual([
      row('hubspot', '2', null, { stays: 1, days: 1, lost: 1, closed: 1, won: 0, learnt: 0 }, null),
      row(
        'hubspot',
        'appointmentscheduled',
        null,
        { stays: 2, days: 1.5, lost: 1, closed: 2, won: 1, learnt: 0.5 },
        null,
      ),
      row('hubspot', 'qualifiedtobuy', null, { stays: 1, days: 3, lost: 0, closed: 1, won: 1, learnt: 1 }, null),
      row('pipedrive', '1', 'Qualified', { stays: 1, days: 1.5, lost: 0, closed: 0, won: 0, learnt: null }, null),
      row('pipedrive', '2', 'Proposal made', { stays: 0, days: null, lost: 0, closed: 0, won: 0, learnt: null }, 0.4),
    ]);
    expect(stages.lostWithoutStage).toBe(0);

    // Current month December. November: 5001 sold 12,000 against 10,000. December: Pipedrive 9001 8,000 × 0.4
    // = 3,200 against 20,000. January: HubSpot 5003 5,000 × 1 = 5,000, no budget.
    const figures = (sold: number, weightedPipeline: number, forecast: number, budget: number | null) => ({
      sold,
      weightedPipeline,
      forecast,
      budget,
    });
    const forecast = await get<{ months: Record<string, unknown>[]; probabilities: Record<string, unknown>[] }>(
      '/v1/forecast?from=2026-11&to=2027-01',
    );
    // The probabilities used: each stage with a sample, an override or open deals, by source and stage id.
    expect(forecast.probabilities).toEqual([
      { source: 'hubspot', stage: '2', stageName: null, learnt: 0, sample: 1, won: 0, override: null, used: 0 },
      {
        source: 'hubspot',
        stage: 'appointmentscheduled',
        stageName: null,
        learnt: 0.5,
        sample: 2,
        won: 1,
        override: null,
        used: 0.5,
      },
      {
        source: 'hubspot',
        stage: 'qualifiedtobuy',
        stageName: null,
        learnt: 1,
        sample: 1,
        won: 1,
        override: null,
        used: 1,
      },
      {
        source: 'pipedrive',
        stage: '2',
        stageName: 'Proposal made',
        learnt: null,
        sample: 0,
        won: 0,
        override: 0.4,
        used: 0.4,
      },
    ]);
    expect(forecast.months).toEqual([
      {
        month: '2026-11',
        ...figures(12_000, 0, 12_000, 10_000),
        accumulated: figures(12_000, 0, 12_000, 10_000),
        otherCurrencies: {},
      },
      {
        month: '2026-12',
        ...figures(0, 3_200, 3_200, 20_000),
        accumulated: figures(12_000, 3_200, 15_200, 30_000),
        otherCurrencies: {},
      },
      {
        month: '2027-01',
        ...figures(0, 5_000, 5_000, null),
        accumulated: figures(12_000, 8_200, 20_200, 30_000),
        otherCurrencies: {},
      },
    ]);
    // Pipedrive owner 77: their deal and their budget only.
    const owner = await get<{ months: { month: string; weightedPipeline: number; budget: number | null }[] }>(
      '/v1/forecast?from=2026-12&to=2026-12&owner=77',
    );
    expect(owner.months).toMatchObject([{ month: '2026-12', weightedPipeline: 3_200, budget: 5_000 }]);

    // The same figures as Prometheus gauges.
    const text = await (
      await fetch(`${stack.url}/v1/forecast?from=2026-11&to=2027-01`, { headers: { accept: 'text/plain' } })
    ).text();
    const families = parsePrometheusTextFormat(text) as {
      name: string;
      metrics: { labels: Record<string, string>; value: string }[];
    }[];
    const accumulated = families.find((f) => f.name === 'flash_forecast_accumulated_forecast_amount');
    expect(accumulated?.metrics.map((m) => [m.labels.period, Number(m.value)])).toEqual([
      ['2026-11', 12_000],
      ['2026-12', 15_200],
      ['2027-01', 20_200],
    ]);

    const stageText = await (
      await fetch(`${stack.url}/v1/pipeline/stages`, { headers: { accept: 'text/plain' } })
    ).text();
    const median = (parsePrometheusTextFormat(stageText) as typeof families).find(
      (f) => f.name === 'flash_stage_median_days',
    );
    expect(median?.metrics.map((m) => [m.labels.source, m.labels.stage, Number(m.value)])).toEqual([
      ['hubspot', '2', 1],
      ['hubspot', 'appointmentscheduled', 1.5],
      ['hubspot', 'qualifiedtobuy', 3],
      ['pipedrive', '1', 1.5],
    ]);

    // A reversed or too long range is refused, naming what is wrong.
    const reversed = await fetch(`${stack.url}/v1/forecast?from=2027-01&to=2026-11`);
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toEqual({ error: 'from (2027-01) must not be after to (2026-11)' });
    expect((await fetch(`${stack.url}/v1/forecast?from=2024-01&to=2027-01`)).status).toBe(400);
    expect((await fetch(`${stack.url}/v1/forecast?from=2026-1&to=2027-01`)).status).toBe(400);

    // And the rebuild finds nothing to repair.
    const verified = await rebuildAggregates({
      store: stack.store,
      model: metricModel,
      ctx: stack.ctx,
      now: () => NOW,
      mode: 'verify',
    });
    expect(verified.drift).toEqual([]);
  });
});
