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

/**
 * One atomic unit of the engine's first step: entity states and the journal of what they change, all of it
 * lands or none of it does. The rollups and aggregates follow when the journal is folded (`FoldPlan`).
 */
export interface CommitPlan {
  /** New entity states, each conditioned on the revision read (null: must not exist yet). */
  entities: { key: string; state: EntityState; listing: Listing | undefined; expectedRev: number | null }[];
  /** What these states change in the rollups and aggregates; none when nothing does (an alert mark). */
  journal: Journal | undefined;
}

/** The contribution deltas of committed entity states, waiting to be folded into rollups and aggregates. */
export interface Journal {
  /** Unique; journals list in the order of their ids. */
  id: string;
  /** Summed deltas by first-level key (a rollup node or an aggregate), before rollup propagation. */
  deltas: ReadonlyMap<string, Values>;
}

/**
 * The writes of one fold, numbered `seq` (fold numbers only grow). Each item is written alone and at most once
 * per fold: a write whose item already carries `seq` or a later fold's number is skipped, so a fold resumed
 * after a stop, or a stalled folder waking after another took over, never applies anything twice.
 */
export interface FoldPlan {
  seq: number;
  /** New rollup node values; a node's `rev` as loaded is the number of the fold that last wrote it. */
  nodes: { key: string; values: Values }[];
  /** Increments to plain aggregates. */
  aggregates: { key: string; delta: Values }[];
  /** Processing time, recorded as the aggregates' `changedAt`. */
  at: string;
}

/** The fold lease as acquired: a fold begun and never ended, if any, for its new holder to finish. */
export interface FoldLease {
  unfinished: { seq: number; journals: string[] } | undefined;
}

/** The port the engine writes through. */
export interface EntityStore {
  loadEntities(keys: readonly string[]): Promise<Map<string, Stored<EntityState>>>;
  /** Rollup nodes, each with the number of the fold that last wrote it as `rev` (0: none yet). */
  loadNodes(keys: readonly string[]): Promise<Map<string, Stored<Values>>>;
  /**
   * Writes the plan atomically; throws ConflictError when a condition no longer holds and ThrottledError when
   * the store refuses for capacity. Either way nothing of the plan was written.
   */
  commit(plan: CommitPlan): Promise<void>;
  /**
   * Takes the fold lease for `holder` until `now + leaseMs`, if it is free, expired or already its own;
   * undefined while another holder has it.
   */
  acquireFold(holder: string, now: Date, leaseMs: number): Promise<FoldLease | undefined>;
  /** Journals waiting to be folded, oldest first, at most `limit`. */
  listJournals(limit: number): Promise<Journal[]>;
  /** The journals of these ids that still wait (a fold removes them). */
  loadJournals(ids: readonly string[]): Promise<Journal[]>;
  /**
   * Gives out the next fold number and records the fold's journals, so that whoever holds the lease next can
   * finish it; extends the lease. ConflictError if `holder` no longer holds it.
   */
  beginFold(holder: string, journals: readonly string[], now: Date, leaseMs: number): Promise<number>;
  /** Writes a fold's items, each at most once (see FoldPlan). */
  applyFold(plan: FoldPlan): Promise<void>;
  /** Removes the fold's journals and its record together. ConflictError if `holder` no longer holds the lease. */
  endFold(holder: string, seq: number, journals: readonly string[]): Promise<void>;
  /** Lets the lease go, if `holder` still holds it. */
  releaseFold(holder: string): Promise<void>;
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
  /** Overwrites one rollup node's values (the fold that last wrote it stays its mark). */
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
