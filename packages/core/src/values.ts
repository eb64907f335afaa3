/**
 * Contributions: what one entity (or one rollup) adds to the aggregates. Every aggregate is a sum of
 * contributions, so applying a change is adding `contributions(new) - contributions(old)`, and the order in
 * which entities change never matters.
 */
export type Values = Record<string, number>;

export interface Contribution {
  /** Aggregate or rollup key, e.g. `nps#2026-11` or `@customer#C1`. */
  key: string;
  values: Values;
}

/** An entity can appear in one ordered list (e.g. the detractors of a month); the store indexes it. */
export interface Listing {
  list: string;
  sort: string;
}

/** Sparse sums keyed by aggregate key; zero fields are dropped so that "no change" is an empty map. */
export class Deltas {
  readonly byKey = new Map<string, Values>();

  add(key: string, values: Values, sign = 1): void {
    let target = this.byKey.get(key);
    for (const [field, amount] of Object.entries(values)) {
      if (amount === 0) continue;
      if (!target) {
        target = {};
        this.byKey.set(key, target);
      }
      const sum = (target[field] ?? 0) + sign * amount;
      if (sum === 0) delete target[field];
      else target[field] = sum;
    }
    if (target && Object.keys(target).length === 0) this.byKey.delete(key);
  }

  addAll(contributions: readonly Contribution[], sign = 1): void {
    for (const c of contributions) this.add(c.key, c.values, sign);
  }

  /** contributions(after) - contributions(before), added in. */
  addDifference(before: readonly Contribution[], after: readonly Contribution[]): void {
    this.addAll(after, 1);
    this.addAll(before, -1);
  }

  take(key: string): Values | undefined {
    const values = this.byKey.get(key);
    this.byKey.delete(key);
    return values;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }
}

export const addValues = (base: Values, delta: Values): Values => {
  const out: Values = { ...base };
  for (const [field, amount] of Object.entries(delta)) {
    const sum = (out[field] ?? 0) + amount;
    if (sum === 0) delete out[field];
    else out[field] = sum;
  }
  return out;
};
