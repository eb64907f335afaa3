import type { MetricContext } from './context.js';
import { spendContributions } from './metrics/acquisition.js';
import { activityContributions, activityListing } from './metrics/activities.js';
import { creditNoteContributions, deriveInvoice, invoiceContributions } from './metrics/billing.js';
import { customerContributions, deriveCustomer } from './metrics/customers.js';
import { forecastContributions } from './metrics/forecast.js';
import { CUSTOMER_ROLLUP, INVOICE_ROLLUP, PROJECT_ROLLUP } from './metrics/keys.js';
import { costContributions, deriveProject, projectContributions } from './metrics/margin.js';
import { learntStageListing } from './metrics/names.js';
import { detractorListing, npsBucket, surveyResponseContributions } from './metrics/nps.js';
import { dealContributions, openDealListing } from './metrics/pipeline.js';
import { surveySegmentContributions } from './metrics/segments.js';
import { stageContributions } from './metrics/stages.js';
import { monthOf } from './period.js';
import type { EntityState } from './state.js';
import type { Contribution, Listing, Values } from './values.js';

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
    case 'survey_response': {
      const month = monthOf(state.data.submittedAt, ctx.timeZone);
      return [
        ...surveyResponseContributions(state, ctx),
        ...surveySegmentContributions(state, month, npsBucket(state.data.score)),
      ];
    }
    case 'invoice':
      return invoiceContributions(state, ctx);
    case 'credit_note':
      return creditNoteContributions(state, ctx);
    case 'cost':
      return costContributions(state, ctx);
    case 'project':
      return projectContributions(state);
    case 'customer':
      return customerContributions(state);
    case 'deal':
      return [...dealContributions(state, ctx), ...stageContributions(state), ...forecastContributions(state, ctx)];
    case 'activity':
      return activityContributions(state, ctx);
    case 'spend':
      return spendContributions(state, ctx);
    // A stage's label is a name, not a figure (names.ts).
    case 'stage':
      return [];
  }
};

export const metricModel: MetricModel = {
  contributions: entityContributions,
  listing: (state, ctx) => {
    if (state.deleted) return undefined;
    if (state.entity === 'survey_response') return detractorListing(state, ctx);
    if (state.entity === 'deal') return openDealListing(state);
    if (state.entity === 'activity') return activityListing(state, ctx);
    if (state.entity === 'stage') return learntStageListing(state);
    return undefined;
  },
  // Projects pass costs on to customers, customers to the margin and the customer counts: projects first.
  // Invoices place their credit notes in the breakdowns only, so they may come anywhere.
  rollups: [
    { prefix: INVOICE_ROLLUP, derive: deriveInvoice },
    { prefix: PROJECT_ROLLUP, derive: deriveProject },
    { prefix: CUSTOMER_ROLLUP, derive: deriveCustomer },
  ],
};
