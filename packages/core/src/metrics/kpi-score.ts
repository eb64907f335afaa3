import type { KpiTemplate } from './kpis.js';

/*
 * Scoring lives apart from the profile schemas so that the query function, which only scores, does not
 * bundle zod (module-level schemas are not tree-shaken).
 */

/** actual / target in percent, one decimal; null when there is no actual figure or the target is 0. */
export const kpiScore = (actual: number | null, targetValue: number): number | null =>
  actual === null || targetValue === 0 ? null : Math.round((1000 * actual) / targetValue) / 10;

export const KPI_UNITS: Record<KpiTemplate, string> = {
  openDealsPlanned: 'deals',
  dealsCreated: 'deals',
  wonValue: 'currency',
  hitRate: 'percent',
  nps: 'points',
};
