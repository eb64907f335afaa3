import { coachingReport, customerContext, evaluateKpis, STAGES, segmentsReport, USERS } from '@flash/app';
import { applyEvents, type MetricContext, metricModel, profileSchema } from '@flash/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { customer, deal, invoice, surveyResponse } from '../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = new Date('2026-11-23T10:00:00Z');

describe('segments, coaching and KPIs on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
    await applyEvents(
      [
        customer('A', 1, { name: 'Aurora AS', segment: 'Gold', ownerId: 'ann' }),
        customer('B', 1, { name: 'Birk & Co', segment: 'Silver', ownerId: 'bob' }),
        surveyResponse('R1', 1, 10, '2026-11-05T08:00:00Z', { customerId: 'A' }),
        surveyResponse('R2', 1, 4, '2026-10-05T08:00:00Z', { customerId: 'A' }),
        surveyResponse('R3', 1, 9, '2026-11-06T08:00:00Z', { customerId: 'B' }),
        invoice('I1', 1, { customerId: 'A', status: 'issued', total: 200_000 }),
        // Ann is "12" in Pipedrive and "hs-7" in HubSpot.
        deal('D1', 1, {
          ownerId: '12',
          status: 'won',
          amount: 3_000_000,
          createdAt: '2026-11-02T10:00:00Z',
          closedAt: '2026-11-09T10:00:00Z',
        }),
        deal('D2', 1, {
          ownerId: 'hs-7',
          status: 'lost',
          createdAt: '2026-09-02T10:00:00Z',
          closedAt: '2026-10-09T10:00:00Z',
        }),
        deal('D3', 1, { ownerId: '12', expectedCloseDate: '2026-12-01', createdAt: '2026-11-20T10:00:00Z' }),
        deal('D4', 1, { ownerId: 'hs-7', expectedCloseDate: '2027-03-01', createdAt: '2026-11-21T10:00:00Z' }),
        deal('D5', 1, {
          title: 'Birk renewal',
          customerId: 'B',
          ownerId: 'bob',
          expectedCloseDate: '2026-11-10',
          createdAt: '2026-11-01T10:00:00Z',
        }),
      ].map((e) => ({ ...e, occurredAt: '2026-11-01T12:00:00.000Z' })),
      { store: table.store, model: metricModel, ctx, now: () => now },
    );
  });
  afterAll(async () => {
    await table.drop();
  });

  it('scores a user against their profile, summing their ids in every CRM', async () => {
    const profile = profileSchema().parse({
      name: 'Sales',
      kpis: [
        { template: 'openDealsPlanned', target: 4, days: 30 },
        { template: 'dealsCreated', target: 10 },
        { template: 'wonValue', target: 60_000 },
        { template: 'hitRate', target: 60, months: 3 },
        { template: 'nps', target: 50, months: 2 },
      ],
    });
    const result = await evaluateKpis(
      'ann',
      { name: 'Ann', profileId: 'sales', ownerIds: ['12', 'hs-7', 'ann'] },
      profile,
      table.store,
      ctx,
      now,
    );
    expect(result.kpis.map(({ template, actual, target, score }) => ({ template, actual, target, score }))).toEqual([
      // D3 closes within 30 days of 23 Nov; D4 does not.
      { template: 'openDealsPlanned', actual: 1, target: 4, score: 25 },
      { template: 'dealsCreated', actual: 3, target: 10, score: 30 },
      { template: 'wonValue', actual: 30_000, target: 60_000, score: 50 },
      // One won (November), one lost (October): 50%.
      { template: 'hitRate', actual: 50, target: 60, score: 83.3 },
      // Customer A (owned by ann): a promoter in November, a detractor in October → 0, 50 points short.
      { template: 'nps', actual: 0, target: 50, score: -50 },
    ]);
    expect(result.kpis.every((k) => k.updatedAt !== null)).toBe(true);
  });

  it('scores missing data as null rather than zero', async () => {
    const profile = profileSchema().parse({
      name: 'AM',
      kpis: [
        { template: 'hitRate', target: 50 },
        { template: 'nps', target: 30 },
      ],
    });
    const result = await evaluateKpis('nobody', { name: 'Nobody', profileId: 'am' }, profile, table.store, ctx, now);
    expect(result.kpis.map((k) => [k.actual, k.score])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('breaks a month down by segment from partitioned aggregates', async () => {
    const report = await segmentsReport(table.store, '2026-11', 'segment', ctx);
    expect(report.segments.map((s) => [s.label, s.nps.responses, s.billing])).toEqual([
      ['Gold', 1, 2000],
      ['Silver', 1, 0],
      [null, 0, 0],
    ]);
    expect(report.total).toMatchObject({ label: 'total', billing: 2000, won: 1, wonValue: 30_000 });
  });

  it('lists deals past their expected close date with no change since', async () => {
    const report = await coachingReport(table.store, '2026-11', undefined, ctx, now);
    expect(report.staleDeals).toEqual([
      expect.objectContaining({ id: 'D5', ownerId: 'bob', expectedCloseDate: '2026-11-10' }),
    ]);
  });

  it('names customers, owners, deals and stages beside their ids, as they are at each read', async () => {
    await table.store.putDocument(USERS, 'bob', { name: 'Bob Berg', profileId: 'sales' });
    await table.store.putDocument(USERS, 'ann', { name: 'Ann Aas', profileId: 'sales', ownerIds: ['12', 'hs-7'] });
    await table.store.putDocument(STAGES, 'generic', { labels: { proposal: 'Proposal sent' } });
    const first = await coachingReport(table.store, '2026-11', undefined, ctx, now);
    expect(first.staleDeals).toEqual([
      {
        id: 'D5',
        source: 'generic',
        title: 'Birk renewal',
        ownerId: 'bob',
        ownerName: 'Bob Berg',
        customerId: 'B',
        customerName: 'Birk & Co',
        stage: 'proposal',
        stageName: 'Proposal sent',
        expectedCloseDate: '2026-11-10',
        lastChangeAt: '2026-11-01T12:00:00.000Z',
      },
    ]);
    // D3, D4, D5 are open, 10,000 each, in the generic source's stage "proposal".
    expect(first.openByStage).toEqual([
      { source: 'generic', stage: 'proposal', stageName: 'Proposal sent', openCount: 3, openValue: 30_000 },
    ]);
    const byOwner = await segmentsReport(table.store, '2026-11', 'owner', ctx);
    // D1 was won by "12", one of Ann's ids; a customer's owner "ann" is her user id, not one of her CRM ids.
    expect(byOwner.segments.map((s) => [s.label, s.name])).toEqual(
      expect.arrayContaining([
        ['12', 'Ann Aas'],
        ['bob', 'Bob Berg'],
        ['ann', null],
      ]),
    );

    // A new name for the customer, the user and the stage shows on the next read.
    await applyEvents([customer('B', 2, { name: 'Birk and Co', segment: 'Silver', ownerId: 'bob' })], {
      store: table.store,
      model: metricModel,
      ctx,
      now: () => now,
    });
    await table.store.putDocument(USERS, 'bob', { name: 'Robert Berg', profileId: 'sales' });
    await table.store.putDocument(STAGES, 'generic', { labels: { proposal: 'Offer out' } });
    const second = await coachingReport(table.store, '2026-11', 'bob', ctx, now);
    expect(second.ownerName).toBe('Robert Berg');
    expect(second.staleDeals).toEqual([
      expect.objectContaining({ customerName: 'Birk and Co', ownerName: 'Robert Berg', stageName: 'Offer out' }),
    ]);
  });

  it('tells what is at stake with a customer: billing this year, open pipeline, segment', async () => {
    await applyEvents(
      [
        deal('D9', 1, { customerId: 'A', amount: 1_500_000 }),
        invoice('I0', 1, { customerId: 'A', status: 'issued', total: 50_000, invoiceDate: '2025-12-20' }),
      ],
      { store: table.store, model: metricModel, ctx, now: () => now },
    );
    expect(await customerContext(table.store, 'A', ctx, now)).toEqual({
      customerId: 'A',
      customerName: 'Aurora AS',
      currency: 'EUR',
      billingThisYear: 2000,
      openPipelineValue: 15_000,
      openDeals: 1,
      segment: 'Gold',
      channel: null,
      owner: 'ann',
    });
  });
});
