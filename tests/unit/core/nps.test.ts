import { npsBucket, npsFigure } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('NPS', () => {
  it.each([
    [0, 'detractors'],
    [6, 'detractors'],
    [7, 'passives'],
    [8, 'passives'],
    [9, 'promoters'],
    [10, 'promoters'],
  ])('puts score %i among the %s', (score, bucket) => {
    expect(npsBucket(score)).toBe(bucket);
  });

  it('scores 100 * (promoters - detractors) / responses with one decimal', () => {
    // 4 promoters, 2 passives, 1 detractor: 100 * 3 / 7 = 42.857… → 42.9 (the contract's example)
    expect(npsFigure({ promoters: 4, passives: 2, detractors: 1, responses: 7 })).toEqual({
      score: 42.9,
      promoters: 4,
      passives: 2,
      detractors: 1,
      responses: 7,
    });
  });

  it('rounds negative scores to one decimal too', () => {
    expect(npsFigure({ detractors: 2, promoters: 1, responses: 3 }).score).toBe(-33.3);
  });

  it('is null without responses, not zero', () => {
    expect(npsFigure({}).score).toBeNull();
    expect(npsFigure(undefined).responses).toBe(0);
  });
});
