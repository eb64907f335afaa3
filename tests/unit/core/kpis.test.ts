import { KPI_RULES, kpiScore, MAX_KPIS_PER_PROFILE, profileSchema, scoreUnit, userSchema } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('KPI score, one rule per template (docs/metrics.md, "KPI scores")', () => {
  it('higher is better: actual / target in percent (ChannelCRM: 6 planned meetings of 10 = 60 %; 3 of 4 key accounts met = 75 % against 100)', () => {
    expect(kpiScore('higher', 6, 10)).toBe(60);
    expect(kpiScore('higher', 75, 100)).toBe(75);
    expect(kpiScore('higher', 15, 10)).toBe(150);
    expect(kpiScore('higher', 1, 3)).toBe(33.3);
    expect(kpiScore('higher', 0, 10)).toBe(0);
  });

  it('higher is better: null for a target of 0 or no figure', () => {
    expect(kpiScore('higher', 5, 0)).toBeNull();
    expect(kpiScore('higher', null, 10)).toBeNull();
  });

  it('a ceiling: 100 % at or under it, target / actual above it, 0 % only over a ceiling of 0', () => {
    expect(kpiScore('ceiling', 0, 3)).toBe(100);
    expect(kpiScore('ceiling', 3, 3)).toBe(100);
    expect(kpiScore('ceiling', 6, 3)).toBe(50);
    expect(kpiScore('ceiling', 4, 3)).toBe(75);
    expect(kpiScore('ceiling', 0, 0)).toBe(100);
    expect(kpiScore('ceiling', 2, 0)).toBe(0);
    expect(kpiScore('ceiling', null, 3)).toBeNull();
  });

  it('a figure that can be negative (NPS): points against the target, never a ratio', () => {
    // The old rule scored NPS -37 against 25 as -148 %.
    expect(kpiScore('points', -37, 25)).toBe(-62);
    expect(kpiScore('points', 42.9, 30)).toBe(12.9);
    expect(kpiScore('points', 20, -10)).toBe(30);
    expect(kpiScore('points', null, 30)).toBeNull();
  });

  it('each template has its rule: counts of what should grow are ratios, open deals left alone are ceilings, NPS is points', () => {
    expect(Object.fromEntries(Object.entries(KPI_RULES).map(([t, r]) => [t, r.rule]))).toEqual({
      openDealsPlanned: 'higher',
      dealsCreated: 'higher',
      wonValue: 'higher',
      hitRate: 'higher',
      nps: 'points',
      meetingsPlanned: 'higher',
      keyAccountsMet: 'higher',
      activitiesDone: 'higher',
      dealsWithoutNextActivity: 'ceiling',
      dealsPastCloseDate: 'ceiling',
    });
    expect(scoreUnit('points')).toBe('points');
    expect(scoreUnit('ceiling')).toBe('percent');
  });
});

describe('profiles', () => {
  it('fill in template defaults', () => {
    const profile = profileSchema().parse({
      name: 'Sales',
      kpis: [
        { template: 'openDealsPlanned', target: 10 },
        { template: 'hitRate', target: 40 },
        { template: 'nps', target: 30, months: 6 },
        { template: 'meetingsPlanned', target: 10 },
        { template: 'keyAccountsMet', target: 100 },
        { template: 'activitiesDone', target: 20, kind: 'call' },
      ],
    });
    expect(profile.kpis).toEqual([
      { template: 'openDealsPlanned', target: 10, days: 30 },
      { template: 'hitRate', target: 40, months: 6 },
      { template: 'nps', target: 30, months: 6 },
      { template: 'meetingsPlanned', target: 10, days: 14 },
      { template: 'keyAccountsMet', target: 100, days: 90 },
      { template: 'activitiesDone', target: 20, kind: 'call', days: 30 },
    ]);
  });

  it(`refuse more than ${MAX_KPIS_PER_PROFILE} KPIs, saying why`, () => {
    const kpis = Array.from({ length: 11 }, () => ({ template: 'dealsCreated', target: 1 }));
    const result = profileSchema().safeParse({ name: 'Too many', kpis });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at most 10 KPIs: a few targets people can act on/);
  });

  it('refuse unknown templates and negative targets', () => {
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'revenue', target: 1 }] }).success).toBe(false);
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'dealsCreated', target: -1 }] }).success).toBe(
      false,
    );
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'hitRate', target: 120 }] }).success).toBe(false);
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'keyAccountsMet', target: 120 }] }).success).toBe(
      false,
    );
    // An NPS target may be negative (a team climbing out of detractors), never below -100.
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'nps', target: -20 }] }).success).toBe(true);
    expect(profileSchema().safeParse({ name: 'x', kpis: [{ template: 'nps', target: -120 }] }).success).toBe(false);
  });

  it('users need a profile', () => {
    expect(userSchema().safeParse({ name: 'Ann' }).success).toBe(false);
    expect(userSchema().parse({ name: 'Ann', profileId: 'sales', ownerIds: ['12', 'hs-7'] })).toEqual({
      name: 'Ann',
      profileId: 'sales',
      ownerIds: ['12', 'hs-7'],
    });
  });
});
