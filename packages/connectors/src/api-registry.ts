import type { HistorySource } from './api.js';
import { delightedApi } from './sources/delighted-api.js';
import { hubspotApi } from './sources/hubspot-api.js';
import { pipedriveApi } from './sources/pipedrive-api.js';
import { stripeApi } from './sources/stripe-api.js';
import { typeformApi } from './sources/typeform-api.js';

/** Every source whose history the backfill reads from its API, by source name. */
export const historySources: Readonly<Record<string, HistorySource>> = Object.fromEntries(
  [stripeApi, hubspotApi, pipedriveApi, typeformApi, delightedApi].map((s) => [s.source, s]),
);

export const historySourceFor = (source: string): HistorySource | undefined =>
  Object.hasOwn(historySources, source) ? historySources[source] : undefined;
