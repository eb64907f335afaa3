import { evaluateKpis, segmentsReport } from '@flash/app';
import { applyEvents, type MetricContext, metricModel, type Profile, profileSchema } from '@flash/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { activity, customer, deal } from '../support/events.js';

/**
 * The activity KPIs (contract section 8) on DynamoDB Local: the owner lists on the index, read over the window
 * at the moment the KPI is asked. Reference values are counted by hand from the events below.
 */
const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = new Date('2026-11-23T10:00:00Z');
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000).toISOString();
const days = (d: number) => hours(24 * d);

const seller = { name: 'Sam', profileId: 'sellers', ownerIds: ['s1', 'hs-9'] };
const kpisOf = (kpis: unknown[]): Profile => profileSchema().parse({ name: 'Sellers', kpis });

describe('activity KPIs on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
    await applyEvents(
      [
        // Planned meetings of the seller (under both ids): six due within the next 14 days…
        activity('M1', 1, { ownerId: 's1', dueAt: hours(1) }),
        activity('M2', 1, { ownerId: 's1', dueAt: days(2) }),
        activity('M3', 1, { ownerId: 'hs-9', dueAt: days(5) }),
        activity('M4', 1, { ownerId: 's1', dueAt: '2026-11-30' }),
        activity('M5', 1, { ownerId: 's1', dueAt: days(10) }),
        activity('M6', 1, { ownerId: 'hs-9', dueAt: days(13.9) }),
        // …and what is not one: due in 20 days, a call, done, another seller's, deleted, overdue.
        activity('M7', 1, { ownerId: 's1', dueAt: days(20) }),
        activity('C1', 1, { ownerId: 's1', kind: 'call', dueAt: days(3) }),
        activity('M8', 1, { ownerId: 's1', dueAt: days(1), doneAt: hours(-2) }),
        activity('M9', 1, { ownerId: 'other', dueAt: days(1) }),
        activity('M10', 1, { ownerId: 's1', dueAt: days(1) }, { deleted: true }),
        activity('M11', 1, { ownerId: 's1', dueAt: days(-1) }),
        // Key accounts: K1-K4 are the seller's, X another's.
        customer('K1', 1, { ownerId: 's1' }),
        customer('K2', 1, { ownerId: 's1' }),
        customer('K3', 1, { ownerId: 'hs-9' }),
        customer('K4', 1, { ownerId: 's1' }),
        customer('X', 1, { ownerId: 'other' }),
        // Meetings done in the last 90 days with K1, K2 and K3 (twice); K4 only 100 days ago and by call.
        activity('D1', 1, { ownerId: 's1', customerId: 'K1', doneAt: days(-3) }),
        activity('D2', 1, { ownerId: 'hs-9', customerId: 'K2', doneAt: days(-89) }),
        activity('D3', 1, { ownerId: 's1', customerId: 'K3', doneAt: days(-10) }),
        activity('D4', 1, { ownerId: 's1', customerId: 'K3', doneAt: days(-11) }),
        activity('D5', 1, { ownerId: 's1', customerId: 'K4', doneAt: days(-100) }),
        activity('D6', 1, { ownerId: 's1', customerId: 'K4', kind: 'call', doneAt: days(-5) }),
        activity('D7', 1, { ownerId: 's1', customerId: 'X', doneAt: days(-5) }),
        // Open deals of the seller: OA has a planned activity, OB only an overdue one, OC none.
        deal('OA', 1, { ownerId: 's1', expectedCloseDate: '2026-11-01' }),
        deal('OB', 1, { ownerId: 's1', expectedCloseDate: '2026-12-10' }),
        deal('OC', 1, { ownerId: 'hs-9', expectedCloseDate: '2026-11-22' }),
        deal('OD', 1, { ownerId: 'other', expectedCloseDate: '2026-11-01' }),
        activity('F1', 1, { ownerId: 's1', kind: 'task', dealId: 'OA', dueAt: days(4) }),
        activity('F2', 1, { ownerId: 's1', kind: 'call', dealId: 'OB', dueAt: days(-2) }),
      ],
      { store: table.store, model: metricModel, ctx, now: () => now },
    );
  });
  afterAll(async () => {
    await table.drop();
  });

  const evaluate = (profile: Profile, at = now, period?: string) =>
    evaluateKpis('sam', seller, profile, table.store, ctx, at, period);
  const figures = async (profile: Profile, at = now, period?: string) =>
    (await evaluate(profile, at, period)).kpis.map(({ template, actual, score }) => ({ template, actual, score }));

  it('ChannelCRM: ten meetings planned in the next 14 days is the target, six are, 60 %', async () => {
    expect(await figures(kpisOf([{ template: 'meetingsPlanned', target: 10 }]))).toEqual([
      { template: 'meetingsPlanned', actual: 6, score: 60 },
    ]);
  });

  it('ChannelCRM: three of four key accounts met in the last 90 days, 75 % against 100', async () => {
    expect(await figures(kpisOf([{ template: 'keyAccountsMet', target: 100 }]))).toEqual([
      { template: 'keyAccountsMet', actual: 75, score: 75 },
    ]);
  });

  it('moves its windows with the clock alone: no event, another figure', async () => {
    const profile = kpisOf([
      { template: 'meetingsPlanned', target: 10 },
      { template: 'keyAccountsMet', target: 100 },
    ]);
    // Two hours on, M1 is past; M7 (due in 20 days) is not yet in.
    expect((await figures(profile, new Date(now.getTime() + 2 * 3_600_000)))[0]).toEqual({
      template: 'meetingsPlanned',
      actual: 5,
      score: 50,
    });
    // Two days on, K2's meeting of 89 days ago has left the 90 days; M1 and M2 are past.
    expect(await figures(profile, new Date(Date.parse(days(2)) + 60_000))).toEqual([
      { template: 'meetingsPlanned', actual: 4, score: 40 },
      { template: 'keyAccountsMet', actual: 50, score: 50 },
    ]);
  });

  it('counts activities done per kind, deals without a next activity and deals past their close date', async () => {
    const profile = kpisOf([
      { template: 'activitiesDone', target: 4, days: 30 },
      { template: 'activitiesDone', target: 2, kind: 'call', days: 30 },
      { template: 'dealsWithoutNextActivity', target: 1 },
      { template: 'dealsPastCloseDate', target: 0 },
    ]);
    expect(await figures(profile)).toEqual([
      // M8, D1, D3, D4, D6, D7 were done in the last 30 days; D6 is the call.
      { template: 'activitiesDone', actual: 6, score: 150 },
      { template: 'activitiesDone', actual: 1, score: 50 },
      // OB's only activity is overdue, OC has none: two against a ceiling of one.
      { template: 'dealsWithoutNextActivity', actual: 2, score: 50 },
      // OA (1 Nov) and OC (22 Nov) are past; OD is another seller's.
      { template: 'dealsPastCloseDate', actual: 2, score: 0 },
    ]);
  });

  it('answers any period: look-back windows end with the month, figures of the present are null', async () => {
    const profile = kpisOf([
      { template: 'meetingsPlanned', target: 10 },
      { template: 'activitiesDone', target: 1, days: 90 },
      { template: 'dealsPastCloseDate', target: 0 },
    ]);
    const october = await evaluate(profile, now, '2026-10');
    expect(october.period).toBe('2026-10');
    expect(october.kpis.map(({ actual, score }) => ({ actual, score }))).toEqual([
      { actual: null, score: null },
      // In the 90 days to 31 October (from 2 August): D2 (26 August) and D5 (15 August).
      { actual: 2, score: 200 },
      { actual: null, score: null },
    ]);
  });

  it('reports activities per owner and kind in a month (the activity report), beside the value won', async () => {
    const report = await segmentsReport(table.store, '2026-11', 'owner', ctx);
    const s1 = report.segments.find((row) => row.label === 's1');
    expect(s1?.activities).toEqual({
      // Due in November and not done: M1, M2, M4 (30 Nov), M11 (22 Nov); M5 and M7 fall in December.
      meeting: { planned: 4, done: 5 },
      // C1 and F2 planned, D6 done; F1 the task.
      call: { planned: 2, done: 1 },
      email: { planned: 0, done: 0 },
      task: { planned: 1, done: 0 },
    });
    // Everyone: s1's four and five, hs-9's M3 (28 Nov; M6 is due in December), other's M9.
    expect(report.total.activities.meeting).toEqual({ planned: 6, done: 5 });
  });
});
