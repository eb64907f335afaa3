import { ConflictError } from './errors.js';
import type { CommitPlan, EntityStore, Stored } from './ports.js';
import type { EntityState } from './state.js';
import { addValues, type Listing, type Values } from './values.js';

/**
 * The engine's store port in memory, with the same conditional, all-or-nothing commit as DynamoDB.
 * For unit and property tests, and as the reference the DynamoDB adapter is compared with.
 */
export class MemoryStore implements EntityStore {
  readonly entities = new Map<string, Stored<EntityState> & { listing?: Listing }>();
  readonly nodes = new Map<string, Stored<Values>>();
  readonly aggregates = new Map<string, Values>();

  async loadEntities(keys: readonly string[]) {
    return pick(this.entities, keys);
  }

  async loadNodes(keys: readonly string[]) {
    return pick(this.nodes, keys);
  }

  async commit(plan: CommitPlan): Promise<void> {
    const conflict = [
      ...plan.entities.map((e) => [this.entities, e] as const),
      ...plan.nodes.map((n) => [this.nodes, n] as const),
    ].find(([map, item]) => (map.get(item.key)?.rev ?? null) !== item.expectedRev);
    if (conflict) throw new ConflictError(`${conflict[1].key} changed since it was read`);
    for (const e of plan.entities) {
      this.entities.set(e.key, { value: structuredClone(e.state), rev: (e.expectedRev ?? 0) + 1, listing: e.listing });
    }
    for (const n of plan.nodes) this.nodes.set(n.key, { value: { ...n.values }, rev: (n.expectedRev ?? 0) + 1 });
    for (const a of plan.aggregates) {
      const next = addValues(this.aggregates.get(a.key) ?? {}, a.delta);
      if (Object.keys(next).length === 0) this.aggregates.delete(a.key);
      else this.aggregates.set(a.key, next);
    }
  }

  /** The members of an aggregate partition (`partition|member` keys), as the DynamoDB store lists them. */
  partition(name: string): Map<string, Values> {
    const out = new Map<string, Values>();
    for (const [key, values] of this.aggregates)
      if (key.startsWith(`${name}|`)) out.set(key.slice(name.length + 1), { ...values });
    return out;
  }

  /** Every rollup whose key starts with `prefix`, by the rest of its key, as the DynamoDB store lists them. */
  rollups(prefix: string): Map<string, Values> {
    const out = new Map<string, Values>();
    for (const [key, node] of this.nodes)
      if (key.startsWith(prefix)) out.set(key.slice(prefix.length), { ...node.value });
    return out;
  }

  states(): EntityState[] {
    return [...this.entities.values()].map((s) => s.value);
  }
}

const pick = <T>(map: Map<string, T>, keys: readonly string[]): Map<string, T> => {
  const out = new Map<string, T>();
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined) out.set(key, structuredClone(value));
  }
  return out;
};
