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
  customerRollup: (customerId: string) => `@customer#${customerId}`,
  projectRollup: (projectId: string) => `@project#${projectId}`,
} as const;

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
