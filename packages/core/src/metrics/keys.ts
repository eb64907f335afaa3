import type { Month, Year } from '../period.js';

/**
 * Aggregate and rollup keys. Rollup keys start with `@` and are second-level nodes (see model.ts);
 * everything else is a plain aggregate the query API reads.
 */
export const keys = {
  nps: (month: Month) => `nps#${month}`,
  billing: (month: Month) => `billing#${month}`,
  margin: (year: Year) => `margin#${year}`,
  /** Pipeline flow of a month (created, won, lost), in total or for one owner. */
  pipeline: (month: Month, owner?: string | null) => (owner ? `pipeline#${month}#owner=${owner}` : `pipeline#${month}`),
  /** Open pipeline as of now, in total or for one owner. */
  openPipeline: (owner?: string | null) => (owner ? `pipeline-open#owner=${owner}` : 'pipeline-open'),
  customers: 'customers',
  /** Direct contributions to the breakdowns of a month (entities that know their own segment, channel or owner). */
  segments: (month: Month) => `segments#${month}`,
  /** One member per customer: what the customer contributed in a month, joined with its labels at query time. */
  byCustomer: (month: Month, customerId: string) => `bycust#${month}|${customerId}`,
  /** One member per customer: its labels (segment, channel, owner) and its open pipeline now. */
  customerFacts: (customerId: string) => `customer|${customerId}`,
  customerRollup: (customerId: string) => `@customer#${customerId}`,
  projectRollup: (projectId: string) => `@project#${projectId}`,
} as const;

export const BY_CUSTOMER = (month: Month) => `bycust#${month}`;
export const CUSTOMER_FACTS = 'customer';
export const CUSTOMER_ROLLUP = '@customer#';
export const PROJECT_ROLLUP = '@project#';

/** Per-currency fields are `name:CUR` (and `name:YYYY:CUR` for yearly sums inside rollups). */
export const currencyField = (name: string, currency: string) => `${name}:${currency}`;

/** Splits `{ 'amount:EUR': 1, 'amount:USD': 2, other: 3 }` into `{ EUR: 1, USD: 2 }` for one name. */
export const byCurrency = (values: Record<string, number>, name: string): Record<string, number> => {
  const out: Record<string, number> = {};
  const prefix = `${name}:`;
  for (const [field, amount] of Object.entries(values)) {
    if (field.startsWith(prefix) && /^[A-Z]{3}$/.test(field.slice(prefix.length)))
      out[field.slice(prefix.length)] = amount;
  }
  return out;
};

/**
 * Free-text labels (segments, stages, lost reasons) inside field names: encoded so that the field syntax
 * (`dim=label|metric`, `name:CUR`) stays unambiguous whatever the CRM sends. The empty label means "none".
 */
export const labelField = (dimension: string, label: string | null | undefined, metric: string) =>
  `${dimension}=${encodeURIComponent(label ?? '')}|${metric}`;

/** Regroups `dim=label|metric` fields of one dimension as `{ label: { metric: n } }`. */
export const byLabel = (values: Record<string, number>, dimension: string): Map<string, Record<string, number>> => {
  const out = new Map<string, Record<string, number>>();
  const prefix = `${dimension}=`;
  for (const [field, amount] of Object.entries(values)) {
    if (!field.startsWith(prefix)) continue;
    const bar = field.indexOf('|', prefix.length);
    if (bar < 0) continue;
    const label = decodeURIComponent(field.slice(prefix.length, bar));
    const metric = field.slice(bar + 1);
    const metrics = out.get(label) ?? {};
    metrics[metric] = (metrics[metric] ?? 0) + amount;
    out.set(label, metrics);
  }
  return out;
};
