import type { KpiTemplate } from './kpis.js';

/*
 * Scoring lives apart from the profile schemas so that the query function, which only scores, does not
 * bundle zod (module-level schemas are not tree-shaken).
 */

/**
 * How a template's figure is held against its target (docs/metrics.md, "KPI scores"):
 * - `higher`: more is better; score = actual / target in percent (6 of 10 = 60 %). Undefined for a target of 0.
 * - `ceiling`: less is better, the target is the most that is fine; score = 100 % at or under the ceiling,
 *   target / actual in percent above it (twice the ceiling = 50 %), so 0 % only when the ceiling is 0 and
 *   the figure is not.
 * - `points`: a figure that can be negative (NPS); score = actual − target in points (NPS 20 against 30 is
 *   −10 points), never a ratio, which means nothing when either side can be negative.
 * Every score is null when the figure is (no responses, no key accounts, a period the figure has no value for).
 */
export type ScoreRule = 'higher' | 'ceiling' | 'points';

export const KPI_RULES: Record<KpiTemplate, { rule: ScoreRule; unit: string }> = {
  openDealsPlanned: { rule: 'higher', unit: 'deals' },
  dealsCreated: { rule: 'higher', unit: 'deals' },
  wonValue: { rule: 'higher', unit: 'currency' },
  hitRate: { rule: 'higher', unit: 'percent' },
  nps: { rule: 'points', unit: 'points' },
  meetingsPlanned: { rule: 'higher', unit: 'meetings' },
  keyAccountsMet: { rule: 'higher', unit: 'percent' },
  activitiesDone: { rule: 'higher', unit: 'activities' },
  dealsWithoutNextActivity: { rule: 'ceiling', unit: 'deals' },
  dealsPastCloseDate: { rule: 'ceiling', unit: 'deals' },
};

const oneDecimal = (value: number) => Math.round(10 * value) / 10;

/** The score of a figure against its target under a rule, one decimal; null where it is undefined. */
export const kpiScore = (rule: ScoreRule, actual: number | null, target: number): number | null => {
  if (actual === null) return null;
  switch (rule) {
    case 'higher':
      return target === 0 ? null : oneDecimal((100 * actual) / target);
    case 'ceiling':
      return actual <= target ? 100 : oneDecimal((100 * target) / actual);
    case 'points':
      return oneDecimal(actual - target);
  }
};

/** What a score is counted in: percent of the target, or points against it. */
export const scoreUnit = (rule: ScoreRule): 'percent' | 'points' => (rule === 'points' ? 'points' : 'percent');
