import type { MetricContext } from './context.js';
import { detractorListing, surveyResponseContributions } from './metrics/nps.js';
import type { EntityState } from './state.js';
import type { Contribution, Values } from './values.js';

/** An entity can appear in one ordered list (e.g. the detractors of a month); the store indexes it. */
export interface Listing {
  list: string;
  sort: string;
}

/**
 * A second-level node: entities contribute counters to it (`@customer#C1 → {openDeals: 2}`), and its own
 * contributions are a function of those counters, so a flag flipping moves its whole contribution.
 * Levels are applied in order; a level may contribute to later levels and to plain aggregates only.
 */
export interface RollupLevel {
  prefix: string;
  derive(key: string, values: Values, ctx: MetricContext): Contribution[];
}

/** Everything the delta engine needs to know about the metrics. */
export interface MetricModel {
  contributions(state: EntityState, ctx: MetricContext): Contribution[];
  listing(state: EntityState, ctx: MetricContext): Listing | undefined;
  rollups: readonly RollupLevel[];
}

const entityContributions = (state: EntityState, ctx: MetricContext): Contribution[] => {
  if (state.deleted) return [];
  switch (state.entity) {
    case 'survey_response':
      return surveyResponseContributions(state, ctx);
    default:
      return [];
  }
};

export const metricModel: MetricModel = {
  contributions: entityContributions,
  listing: (state, ctx) =>
    !state.deleted && state.entity === 'survey_response' ? detractorListing(state, ctx) : undefined,
  rollups: [],
};
