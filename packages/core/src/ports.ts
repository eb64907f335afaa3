/**
 * The ports: every interface a handler or the engine depends on, and the records they carry. Types only.
 * `packages/store` implements the storage ports on DynamoDB (one adapter per port, memory-store.ts has the
 * in-memory twins), `packages/app` the bus, dead-letter and secret ports on AWS, `packages/local` on one
 * machine. Adapters throw the core's errors (errors.ts): RetryableError or RejectedError, never their SDK's.
 */
import type { AggregateView } from './metrics/figures.js';
import type { SnapshotView } from './metrics/report.js';
import type { EntityState } from './state.js';
import type { Listing, Values } from './values.js';

/** What the store holds for an entity or a rollup node: the value and a revision for optimistic locking. */
export interface Stored<T> {
  value: T;
  rev: number;
}

/** One atomic unit of writes: all of it lands, or none of it does. */
export interface CommitPlan {
  /** New entity states, each conditioned on the revision read (null: must not exist yet). */
  entities: { key: string; state: EntityState; listing: Listing | undefined; expectedRev: number | null }[];
  /** New rollup node values, conditioned the same way. */
  nodes: { key: string; values: Values; expectedRev: number | null }[];
  /** Increments to plain aggregates; commutative, so they need no condition. */
  aggregates: { key: string; delta: Values }[];
  /** Processing time, recorded as the aggregates' `changedAt`. */
  at: string;
}

/** The port the engine writes through. */
export interface EntityStore {
  loadEntities(keys: readonly string[]): Promise<Map<string, Stored<EntityState>>>;
  loadNodes(keys: readonly string[]): Promise<Map<string, Stored<Values>>>;
  /**
   * Writes the plan atomically; throws ConflictError when a condition no longer holds and ThrottledError when
   * the store refuses for capacity. Either way nothing of the plan was written.
   */
  commit(plan: CommitPlan): Promise<void>;
}

/** An aggregate as stored. Fields that returned to zero are left out. */
export interface AggregateRecord {
  values: Values;
  /** Processing time of the last commit that changed it. */
  updatedAt: string | undefined;
}

/** Bounds and order of a list of entities (`Listing`), by its sort key. */
export interface ListOptions {
  /** Lowest sort key to include. */
  from?: string;
  /** Highest sort key to include. */
  to?: string;
  oldestFirst?: boolean;
}

/** What the entity store's commits leave to read: aggregates, partitions, rollups and listed entities. */
export interface AggregateStore {
  /** Aggregates by key; keys never written are absent. */
  getAggregates(keys: readonly string[]): Promise<Map<string, AggregateRecord>>;
  /** Every member of an aggregate partition (`partition|member` keys), by member. */
  listAggregatePartition(partition: string): Promise<Map<string, AggregateRecord>>;
  /** The members of an aggregate partition from `from` to `to` inclusive (one range query), by member. */
  listAggregateRange(partition: string, from: string, to: string): Promise<Map<string, AggregateRecord>>;
  /** Every rollup of a kind (`@customer#`), by the id part of its key. */
  listRollups(prefix: string): Promise<Map<string, Values>>;
  /** Entities listed under `list`, newest first by their listing's sort key (or oldest first), at most `limit`. */
  listEntities(list: string, limit: number, options?: ListOptions): Promise<EntityState[]>;
}

/** The reads the query function's cache shares: aggregates by key, and spans of a series partition. */
export interface AggregateReader {
  getAggregates(keys: readonly string[]): Promise<ReadonlyMap<string, AggregateView>>;
  listAggregateRange(partition: string, from: string, to: string): Promise<ReadonlyMap<string, AggregateView>>;
}

/** Daily snapshots of the "now" figures, one per local day: what a past period shows for them. */
export interface SnapshotStore {
  /** Writes the snapshot of a day, replacing one taken earlier that day. */
  putSnapshot(day: string, values: Values, takenAt: string): Promise<void>;
  /** The snapshots of some days (one request per 100 days); days without one are absent. */
  getSnapshots(days: readonly string[]): Promise<Map<string, SnapshotView>>;
}

/** What the metrics reports read (`readReport`). */
export interface ReportReader extends AggregateReader, Pick<SnapshotStore, 'getSnapshots'> {}

/** What the segment, coaching and KPI answers read. */
export interface InsightsStore {
  getAggregates(keys: readonly string[]): Promise<ReadonlyMap<string, AggregateView>>;
  listAggregatePartition(partition: string): Promise<ReadonlyMap<string, AggregateView>>;
  listAggregateRange(partition: string, from: string, to: string): Promise<ReadonlyMap<string, AggregateView>>;
  /** Every rollup of a kind (`@customer#`), by the key part of its id. */
  listRollups(prefix: string): Promise<ReadonlyMap<string, Values>>;
  loadNodes(keys: readonly string[]): Promise<ReadonlyMap<string, { value: Values }>>;
  listEntities(list: string, limit: number, options?: ListOptions): Promise<EntityState[]>;
}

/** Where profiles, users and personal tokens are kept (the configuration API writes them). */
export interface DocumentStore {
  putDocument(kind: string, id: string, document: unknown): Promise<void>;
  /** Removes a document; removing one that is not there is no error. */
  deleteDocument(kind: string, id: string): Promise<void>;
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
  listDocuments(kind: string): Promise<Map<string, unknown>>;
}

/** Profiles and users as the query function reads them. */
export interface DocumentReader {
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
  listDocuments(kind: string): Promise<Map<string, unknown>>;
}

export interface AlertRecord {
  key: string;
  raisedAt: string;
  [field: string]: unknown;
}

/** An alert as stored, with where its delivery stands. */
export interface StoredAlert {
  alert: AlertRecord;
  /** Its `Detractor Detected` event is on the bus (published once, whatever happens to Slack). */
  notified: boolean;
  /** When it was posted to the Slack-compatible webhook; undefined until then. */
  slackDeliveredAt: string | undefined;
}

/** The alert function's store: one alert per key, ever, and where its delivery stands. */
export interface AlertStore {
  /**
   * Stores an alert unless one exists for its key, as not yet notified. Answers the stored alert (the first
   * one raised, whichever call stored it) and whether it was already published, so that a retry after a
   * failed publication publishes it and a redelivery after a successful one does not.
   */
  recordAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; notified: boolean }>;
  /** The publication mark: its `Detractor Detected` event is on the bus. */
  markAlertNotified(key: string): Promise<void>;
  /** The alert stored under a key, read strongly consistent; undefined if none. */
  getAlert(key: string): Promise<StoredAlert | undefined>;
  /** The Slack step's own mark. */
  markSlackDelivered(key: string, at: string): Promise<void>;
}

/** The alerts raised, newest first (the query API's list). */
export interface AlertLister {
  listAlerts(limit: number): Promise<AlertRecord[]>;
}

/** What the query function reads. */
export interface QueryStore extends InsightsStore, ReportReader, DocumentReader, AlertLister {}

/** What rebuild needs from the store. */
export interface RebuildStore {
  /** Every stored entity state. */
  scanEntities(): AsyncIterable<EntityState>;
  /** Every stored rollup node and aggregate. */
  scanDerived(): Promise<{ nodes: Map<string, Values>; aggregates: Map<string, AggregateRecord> }>;
  /** Overwrites one rollup node; bumps its revision so that a concurrent planner conflicts. */
  replaceNode(key: string, values: Values): Promise<void>;
  /** Overwrites one aggregate: the fields of `values` and `previous` (0 where `values` has none). */
  replaceAggregate(key: string, values: Values, previous: Values, at: string): Promise<void>;
}

/** One event for the bus, before the bus adds its envelope. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: unknown;
}

/** The port handlers publish through: EventBridge on AWS, the in-process bus locally. */
export interface EventPublisher {
  /** Resolves once every entry is durably on the bus; throws an UnavailableError otherwise. */
  publish(entries: readonly BusEntry[]): Promise<void>;
}

/** A queued record as a dead-letter sink parks it: the fields of an SQS record it keeps, at least. */
export interface QueuedRecord {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount: string };
}

/**
 * Where a handler parks a record it can never apply, with the reason; only a handler decides that. `R` is the
 * record the handler hands over (the aggregator's: an SQS record).
 */
export interface DeadLetterSink<R extends QueuedRecord = QueuedRecord> {
  /** Resolves once the record is durably parked; the handler then reports it as processed. */
  deadLetter(record: R, reason: string): Promise<void>;
}

/** Where signing secrets come from: the environment locally, Secrets Manager on AWS. */
export interface SecretProvider {
  get(name: string): Promise<string | undefined>;
}
