import { toMajor } from '../money.js';
import { addValues, type Values } from '../values.js';

/** What every figure's read side shares: aggregates as read back, rounding, per-currency regrouping. */

/** An aggregate as read back: its summed values and when a commit last changed it. */
export interface AggregateView {
  values: Values;
  updatedAt?: string | undefined;
}
export type Aggregates = ReadonlyMap<string, AggregateView>;

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round3 = (n: number) => Math.round(n * 1000) / 1000;
export const pct = (part: number, whole: number): number | null => (whole === 0 ? null : round1((100 * part) / whole));
/** When the newest of some aggregates last changed; null when none has. */
export const latestUpdate = (views: Iterable<AggregateView | undefined>): string | null => {
  let max: string | null = null;
  for (const v of views) if (v?.updatedAt && (!max || v.updatedAt > max)) max = v.updatedAt;
  return max;
};

/** Per-currency sums in major units, every currency but the base one. */
export const others = (sums: Record<string, Record<string, number>>, base: string) => {
  const out: Record<string, Record<string, number>> = {};
  for (const [currency, fields] of Object.entries(sums)) {
    if (currency === base) continue;
    out[currency] = Object.fromEntries(Object.entries(fields).map(([k, minor]) => [k, toMajor(minor, currency)]));
  }
  return out;
};

/** Regroups `{ thisMonth: {EUR: 1}, lastMonth: {USD: 2} }` as `{ EUR: {thisMonth: 1, lastMonth: 0}, USD: … }`. */
export const perCurrency = (named: Record<string, Record<string, number>>): Record<string, Record<string, number>> => {
  const currencies = new Set(Object.values(named).flatMap((m) => Object.keys(m)));
  const out: Record<string, Record<string, number>> = {};
  for (const currency of currencies) {
    out[currency] = Object.fromEntries(Object.entries(named).map(([name, m]) => [name, m[currency] ?? 0]));
  }
  return out;
};

/** The values of several aggregates summed (e.g. the flow of the months requirements look back over). */
export const sumViews = (views: Iterable<AggregateView | undefined>): Values => {
  let out: Values = {};
  for (const v of views) out = addValues(out, v?.values ?? {});
  return out;
};
