/**
 * The in-memory twins of the store's adapters (packages/store), for unit and property tests; the contract
 * suite (tests/integration/store-contract.test.ts) holds each twin and its adapter to the same behaviour.
 */
import { ConflictError } from './errors.js';
import type { SnapshotView } from './metrics/report.js';
import type {
  AggregateRecord,
  AggregateStore,
  AlertLister,
  AlertStore,
  CommitPlan,
  DocumentReader,
  DocumentStore,
  EntityStore,
  FoldLease,
  FoldPlan,
  Journal,
  ListOptions,
  RebuildStore,
  SnapshotStore,
  Stored,
  StoredAlert,
} from './ports.js';
import type { EntityState } from './state.js';
import { addValues, type Listing, type Values } from './values.js';

/**
 * The engine's store port in memory, with the same conditional, all-or-nothing commit as DynamoDB. It also
 * holds what the read and rebuild twins read (memoryAggregateStore, memoryRebuildStore), as the table does.
 */
export class MemoryStore implements EntityStore {
  readonly entities = new Map<string, Stored<EntityState> & { listing?: Listing }>();
  readonly nodes = new Map<string, Stored<Values>>();
  /** Aggregates by key, without the fields that returned to zero (and without those whose every field did). */
  readonly aggregates = new Map<string, Values>();
  /** When each aggregate ever written was last changed (`CommitPlan.at`). */
  readonly aggregatesChangedAt = new Map<string, string>();

  async loadEntities(keys: readonly string[]) {
    return pick(this.entities, keys);
  }

  async loadNodes(keys: readonly string[]) {
    return pick(this.nodes, keys);
  }

  /** Journals waiting to be folded, by id. */
  readonly journals = new Map<string, Journal>();
  /** The fold lease and the fold numbers given out, as the DynamoDB store keeps them in one item. */
  readonly fold: {
    seq: number;
    holder?: string;
    expiresAt?: number;
    unfinished?: { seq: number; journals: string[] };
  } = { seq: 0 };
  /** The number of the fold that last wrote each aggregate. */
  readonly aggregateFolds = new Map<string, number>();

  async commit(plan: CommitPlan): Promise<void> {
    const conflict = plan.entities.find((e) => (this.entities.get(e.key)?.rev ?? null) !== e.expectedRev);
    if (conflict) throw new ConflictError(`${conflict.key} changed since it was read`);
    if (plan.journal && this.journals.has(plan.journal.id))
      throw new ConflictError(`journal ${plan.journal.id} exists`);
    for (const e of plan.entities) {
      this.entities.set(e.key, { value: structuredClone(e.state), rev: (e.expectedRev ?? 0) + 1, listing: e.listing });
    }
    if (plan.journal) this.journals.set(plan.journal.id, structuredClone(plan.journal));
  }

  async acquireFold(holder: string, now: Date, leaseMs: number): Promise<FoldLease | undefined> {
    const { fold } = this;
    if (fold.holder !== undefined && fold.holder !== holder && (fold.expiresAt ?? 0) >= now.getTime()) return undefined;
    fold.holder = holder;
    fold.expiresAt = now.getTime() + leaseMs;
    return { unfinished: structuredClone(fold.unfinished) };
  }

  async listJournals(limit: number): Promise<Journal[]> {
    return [...this.journals.keys()]
      .sort(byCodePoint)
      .slice(0, limit)
      .map((id) => structuredClone(this.journals.get(id) as Journal));
  }

  async loadJournals(ids: readonly string[]): Promise<Journal[]> {
    return [...pick(this.journals, ids).values()];
  }

  async beginFold(holder: string, journals: readonly string[], now: Date, leaseMs: number): Promise<number> {
    this.holding(holder);
    this.fold.seq++;
    this.fold.unfinished = { seq: this.fold.seq, journals: [...journals] };
    this.fold.expiresAt = now.getTime() + leaseMs;
    return this.fold.seq;
  }

  async applyFold(plan: FoldPlan): Promise<void> {
    for (const n of plan.nodes) {
      if ((this.nodes.get(n.key)?.rev ?? 0) >= plan.seq) continue;
      this.nodes.set(n.key, { value: { ...n.values }, rev: plan.seq });
    }
    for (const a of plan.aggregates) {
      if ((this.aggregateFolds.get(a.key) ?? 0) >= plan.seq) continue;
      this.setAggregate(a.key, addValues(this.aggregates.get(a.key) ?? {}, a.delta), plan.at);
      this.aggregateFolds.set(a.key, plan.seq);
    }
  }

  async endFold(holder: string, seq: number, journals: readonly string[]): Promise<void> {
    this.holding(holder);
    if (this.fold.unfinished?.seq !== seq) throw new ConflictError(`fold ${seq} is not the one begun`);
    for (const id of journals) this.journals.delete(id);
    this.fold.unfinished = undefined;
  }

  async releaseFold(holder: string): Promise<void> {
    if (this.fold.holder !== holder) return;
    this.fold.holder = undefined;
    this.fold.expiresAt = undefined;
  }

  private holding(holder: string): void {
    if (this.fold.holder !== holder) throw new ConflictError(`${holder} no longer holds the fold lease`);
  }

  /** The members of an aggregate partition (`partition|member` keys), as the DynamoDB store lists them. */
  partition(name: string): Map<string, Values> {
    return byPrefix(this.aggregates, `${name}|`, (values) => ({ ...values }));
  }

  /** Every rollup whose key starts with `prefix`, by the rest of its key, as the DynamoDB store lists them. */
  rollups(prefix: string): Map<string, Values> {
    return byPrefix(this.nodes, prefix, (node) => ({ ...node.value }));
  }

  states(): EntityState[] {
    return [...this.entities.values()].map((s) => s.value);
  }

  /** Every aggregate ever written, as the DynamoDB store keeps them: at zero too, once written. */
  aggregateRecords(): Map<string, AggregateRecord> {
    const out = new Map<string, AggregateRecord>();
    for (const [key, updatedAt] of this.aggregatesChangedAt)
      out.set(key, { values: { ...this.aggregates.get(key) }, updatedAt });
    return out;
  }

  /** Sets an aggregate's values (zero fields dropped) and when it changed. */
  setAggregate(key: string, values: Values, at: string): void {
    const nonZero = addValues({}, values);
    if (Object.keys(nonZero).length === 0) this.aggregates.delete(key);
    else this.aggregates.set(key, nonZero);
    this.aggregatesChangedAt.set(key, at);
  }
}

/**
 * The entries whose key starts with `prefix`, by the rest of their key, each as `copy` makes it: how the
 * DynamoDB store lists the members of a partition or the rollups of a kind.
 */
const byPrefix = <T, R>(entries: ReadonlyMap<string, T>, prefix: string, copy: (value: T) => R): Map<string, R> => {
  const out = new Map<string, R>();
  for (const [key, value] of entries) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), copy(value));
  return out;
};

/** The read side over a MemoryStore: the twin of the DynamoDB aggregate store. */
export const memoryAggregateStore = (store: MemoryStore): AggregateStore => ({
  async getAggregates(keys) {
    return pick(store.aggregateRecords(), keys);
  },
  async listAggregatePartition(partition) {
    return byPrefix(store.aggregateRecords(), `${partition}|`, (record) => record);
  },
  async listAggregateRange(partition, from, to) {
    const members = byPrefix(store.aggregateRecords(), `${partition}|`, (record) => record);
    return new Map([...members].filter(([member]) => member >= from && member <= to));
  },
  async listRollups(prefix) {
    return store.rollups(prefix);
  },
  async listEntities(list, limit, options = {}) {
    const listed = [...store.entities.values()].flatMap((e) =>
      e.listing?.list === list && inRange(e.listing.sort, options) ? [{ sort: e.listing.sort, state: e.value }] : [],
    );
    const order = options.oldestFirst ? 1 : -1;
    listed.sort((a, b) => order * byCodePoint(a.sort, b.sort));
    return listed.slice(0, limit).map((e) => structuredClone(e.state));
  },
});

/** Rebuild over a MemoryStore (with the engine's port, which rebuild folds through): the twin of the DynamoDB store. */
export const memoryRebuildStore = (store: MemoryStore): RebuildStore & EntityStore => ({
  loadEntities: (keys) => store.loadEntities(keys),
  loadNodes: (keys) => store.loadNodes(keys),
  commit: (plan) => store.commit(plan),
  acquireFold: (holder, now, leaseMs) => store.acquireFold(holder, now, leaseMs),
  listJournals: (limit) => store.listJournals(limit),
  loadJournals: (ids) => store.loadJournals(ids),
  beginFold: (holder, journals, now, leaseMs) => store.beginFold(holder, journals, now, leaseMs),
  applyFold: (plan) => store.applyFold(plan),
  endFold: (holder, seq, journals) => store.endFold(holder, seq, journals),
  releaseFold: (holder) => store.releaseFold(holder),
  async *scanEntities() {
    yield* store.states().map((state) => structuredClone(state));
  },
  async scanDerived() {
    const nodes = new Map([...store.nodes].map(([key, node]): [string, Values] => [key, { ...node.value }]));
    return { nodes, aggregates: store.aggregateRecords() };
  },
  async replaceNode(key, values) {
    store.nodes.set(key, { value: { ...values }, rev: store.nodes.get(key)?.rev ?? 0 });
  },
  async replaceAggregate(key, values, previous, at) {
    const fields = Object.fromEntries(Object.keys({ ...previous, ...values }).map((f) => [f, values[f] ?? 0]));
    store.setAggregate(key, { ...store.aggregates.get(key), ...fields }, at);
  },
});

/** Snapshots in memory: the twin of the DynamoDB snapshot store. */
export const memorySnapshotStore = (): SnapshotStore => {
  const days = new Map<string, SnapshotView>();
  return {
    async putSnapshot(day, values, takenAt) {
      days.set(day, { values: { ...values }, takenAt });
    },
    async getSnapshots(wanted) {
      return pick(days, wanted);
    },
  };
};

/** Configuration documents in memory: the twin of the DynamoDB document store. */
export const memoryDocumentStore = (): DocumentStore & DocumentReader => {
  const kinds = new Map<string, Map<string, unknown>>();
  const kind = (name: string) => {
    const documents = kinds.get(name) ?? new Map<string, unknown>();
    kinds.set(name, documents);
    return documents;
  };
  return {
    async putDocument(name, id, document) {
      kind(name).set(id, structuredClone(document));
    },
    async deleteDocument(name, id) {
      kind(name).delete(id);
    },
    async getDocuments(name, ids) {
      return pick(kind(name), ids);
    },
    async listDocuments(name) {
      return structuredClone(kind(name));
    },
  };
};

/** Alerts in memory: the twin of the DynamoDB alert store (recorded once per key, then marked). */
export const memoryAlertStore = (): AlertStore & AlertLister => {
  const stored = new Map<string, StoredAlert>();
  const existing = (key: string): StoredAlert => {
    const alert = stored.get(key);
    if (!alert) throw new ConflictError(`alert ${key} is not recorded`);
    return alert;
  };
  return {
    async recordAlert(alert) {
      const first = stored.get(alert.key) ?? {
        alert: structuredClone(alert),
        notified: false,
        slackDeliveredAt: undefined,
      };
      stored.set(alert.key, first);
      return { alert: structuredClone(first.alert), notified: first.notified };
    },
    async markAlertNotified(key) {
      existing(key).notified = true;
    },
    async getAlert(key) {
      return structuredClone(stored.get(key));
    },
    async markSlackDelivered(key, at) {
      existing(key).slackDeliveredAt = at;
    },
    async listAlerts(limit) {
      const sort = ({ alert }: StoredAlert) => `${alert.raisedAt}#${alert.key}`;
      const newestFirst = [...stored.values()].sort((a, b) => byCodePoint(sort(b), sort(a)));
      return newestFirst.slice(0, limit).map((s) => structuredClone(s.alert));
    },
  };
};

const pick = <T>(map: ReadonlyMap<string, T>, keys: readonly string[]): Map<string, T> => {
  const out = new Map<string, T>();
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined) out.set(key, structuredClone(value));
  }
  return out;
};

const inRange = (sort: string, { from, to }: ListOptions): boolean =>
  (from === undefined || byCodePoint(sort, from) >= 0) && (to === undefined || byCodePoint(sort, to) <= 0);

/** Strings in DynamoDB's order for sort keys (their UTF-8 bytes, that is their code points). */
const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};
