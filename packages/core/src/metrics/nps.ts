import type { MetricContext } from '../context.js';
import { dayOf, monthOf, monthOfDay } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import { keys, lists } from './keys.js';

export type NpsBucket = 'promoters' | 'passives' | 'detractors';

/** Promoters score 9-10, passives 7-8, detractors 0-6. */
export const npsBucket = (score: number): NpsBucket =>
  score >= 9 ? 'promoters' : score >= 7 ? 'passives' : 'detractors';

export const isDetractor = (score: number): boolean => npsBucket(score) === 'detractors';

export const npsKey = keys.nps;

export const surveyResponseContributions = (
  state: EntityState<'survey_response'>,
  ctx: MetricContext,
): Contribution[] => {
  const day = dayOf(state.data.submittedAt, ctx.timeZone);
  const values = { responses: 1, [npsBucket(state.data.score)]: 1 };
  return [
    { key: npsKey(monthOfDay(day)), values },
    { key: keys.npsDay(day), values },
  ];
};

export interface NpsFigure {
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
}

/** `score = 100 * (promoters - detractors) / responses`, one decimal; null without responses. */
export const npsFigure = (values: Values = {}): NpsFigure => {
  const promoters = values.promoters ?? 0;
  const passives = values.passives ?? 0;
  const detractors = values.detractors ?? 0;
  const responses = values.responses ?? 0;
  const score = responses === 0 ? null : Math.round((1000 * (promoters - detractors)) / responses) / 10;
  return { score, promoters, passives, detractors, responses };
};

/**
 * Detractor responses are listed per month, newest first, for the drill-down: sorted by the instant they
 * were submitted in UTC, whatever offset the source wrote it with.
 */
export const detractorListing = (state: EntityState<'survey_response'>, ctx: MetricContext) =>
  isDetractor(state.data.score)
    ? {
        list: lists.detractors(monthOf(state.data.submittedAt, ctx.timeZone)),
        sort: new Date(state.data.submittedAt).toISOString(),
      }
    : undefined;
