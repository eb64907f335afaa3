import { kpiScore, MAX_KPIS_PER_PROFILE, profileSchema, userSchema } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('KPI score', () => {
  it('is actual / target in percent', () => {
    expect(kpiScore(6, 10)).toBe(60);
    expect(kpiScore(15, 10)).toBe(150);
    expect(kpiScore(1, 3)).toBe(33.3);
  });

  it('is null when the target is 0 or there is no actual figure', () => {
    expect(kpiScore(5, 0)).toBeNull();
    expect(kpiScore(null, 10)).toBeNull();
    expect(kpiScore(0, 10)).toBe(0);
  });
});

describe('profiles', () => {
  it('fill in template defaults', () => {
    const profile = profileSchema.parse({
      name: 'Sales',
      kpis: [
        { template: 'openDealsPlanned', target: 10 },
        { template: 'hitRate', target: 40 },
        { template: 'nps', target: 30, months: 6 },
      ],
    });
    expect(profile.kpis).toEqual([
      { template: 'openDealsPlanned', target: 10, days: 30 },
      { template: 'hitRate', target: 40, months: 6 },
      { template: 'nps', target: 30, months: 6 },
    ]);
  });

  it(`refuse more than ${MAX_KPIS_PER_PROFILE} KPIs, saying why`, () => {
    const kpis = Array.from({ length: 11 }, () => ({ template: 'dealsCreated', target: 1 }));
    const result = profileSchema.safeParse({ name: 'Too many', kpis });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at most 10 KPIs: a few targets people can act on/);
  });

  it('refuse unknown templates and negative targets', () => {
    expect(profileSchema.safeParse({ name: 'x', kpis: [{ template: 'revenue', target: 1 }] }).success).toBe(false);
    expect(profileSchema.safeParse({ name: 'x', kpis: [{ template: 'dealsCreated', target: -1 }] }).success).toBe(
      false,
    );
    expect(profileSchema.safeParse({ name: 'x', kpis: [{ template: 'hitRate', target: 120 }] }).success).toBe(false);
  });

  it('users need a profile', () => {
    expect(userSchema.safeParse({ name: 'Ann' }).success).toBe(false);
    expect(userSchema.parse({ name: 'Ann', profileId: 'sales', ownerIds: ['12', 'hs-7'] })).toEqual({
      name: 'Ann',
      profileId: 'sales',
      ownerIds: ['12', 'hs-7'],
    });
  });
});
