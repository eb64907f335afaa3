import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler, makeAlertHandler } from '@flash/app';
import {
  type AlertRecord,
  type AlertStore,
  type BusEntry,
  type BusEvent,
  type CanonicalEvent,
  type CommitPlan,
  detailTypeOf,
  type EntityStore,
  type EventPublisher,
  INGEST_SOURCE,
  MemoryStore,
  type MetricContext,
  matchesPattern,
  type RuleName,
  rulePatterns,
  type StoredAlert,
} from '@flash/core';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
export const silent = () => new Logger({ serviceName: 'alert-pipeline-tests', logLevel: 'SILENT' });

/** The alert items in memory, with DynamoStore's semantics: recorded once per key, then marked. */
export const memoryAlerts = () => {
  const stored = new Map<string, StoredAlert>();
  const alerts: AlertStore & { stored: Map<string, StoredAlert> } = {
    stored,
    async recordAlert(alert: AlertRecord) {
      const existing = stored.get(alert.key);
      if (existing) return { alert: existing.alert, notified: existing.notified };
      stored.set(alert.key, { alert, notified: false, slackDeliveredAt: undefined });
      return { alert, notified: false };
    },
    async markAlertNotified(key: string) {
      const existing = stored.get(key);
      if (existing) existing.notified = true;
    },
    async getAlert(key: string) {
      const existing = stored.get(key);
      return existing && { ...existing };
    },
    async markSlackDelivered(key: string, at: string) {
      const existing = stored.get(key);
      if (existing) existing.slackDeliveredAt = at;
    },
  };
  return alerts;
};

/**
 * EventBridge as deployed: every rule of `rulePatterns` (the patterns the CDK stack deploys) with its target
 * as a queue the test drains by hand, so that it decides when each step runs and in which batches.
 */
export class RuleBus implements EventPublisher {
  readonly published: BusEvent[] = [];
  readonly targets = new Map<RuleName, BusEvent[]>();
  /** Fails the next publications whose detail-type is given (an unavailable bus, a crash before PutEvents). */
  readonly failNext: string[] = [];

  async publish(entries: readonly BusEntry[]): Promise<void> {
    const failing = entries.find((e) => this.failNext.includes(e.detailType));
    if (failing) {
      this.failNext.splice(this.failNext.indexOf(failing.detailType), 1);
      throw new Error(`bus unavailable for ${failing.detailType}`);
    }
    for (const entry of entries) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: '000000000000',
        time: '2026-11-23T10:00:00Z',
        region: 'local',
        resources: [],
        detail: JSON.parse(JSON.stringify(entry.detail)),
      };
      this.published.push(event);
      for (const [rule, pattern] of Object.entries(rulePatterns) as [RuleName, (typeof rulePatterns)[RuleName]][]) {
        if (matchesPattern(pattern, event)) this.targets.set(rule, [...(this.targets.get(rule) ?? []), event]);
      }
    }
  }

  take(rule: RuleName): BusEvent[] {
    const events = this.targets.get(rule) ?? [];
    this.targets.delete(rule);
    return events;
  }

  ofType(detailType: string): BusEvent[] {
    return this.published.filter((e) => e['detail-type'] === detailType);
  }
}

/**
 * The alert path as deployed, with the real handlers: ingested events on the bus, the aggregate rule's queue
 * handed to the aggregate handler in SQS batches, the detractorAlert and slackAlert rules invoking the alert
 * handler one event at a time, a failed invocation staying queued for its retry.
 */
export const alertPipeline = <S extends EntityStore, A extends AlertStore>({
  store,
  alerts,
  slackWebhookUrl,
  fetch,
  publisherOf = (bus) => bus,
}: {
  store: S;
  alerts: A;
  slackWebhookUrl?: () => Promise<string | undefined>;
  fetch?: typeof globalThis.fetch;
  /** What the handlers publish through; by default straight onto the bus. */
  publisherOf?: (bus: RuleBus) => EventPublisher;
}) => {
  const bus = new RuleBus();
  const publisher = publisherOf(bus);
  const now = () => new Date('2026-11-23T10:00:00Z');
  const aggregateHandler = makeAggregateHandler({ store, ctx, now, logger: silent(), publisher });
  const alertHandler = makeAlertHandler({ alerts, publisher, logger: silent(), now, slackWebhookUrl, fetch });
  const failures: { rule: RuleName; error: unknown }[] = [];
  const record = (event: BusEvent): SQSRecord =>
    ({ messageId: randomUUID(), body: JSON.stringify(event), attributes: {} }) as SQSRecord;

  /** One SQS batch of everything queued for the aggregator; records it reports failed are queued again. */
  const aggregate = async (): Promise<number> => {
    const records = bus.take('aggregate').map(record);
    const byId = new Map(records.map((r) => [r.messageId, r]));
    const event: SQSEvent = { Records: records };
    const { batchItemFailures } = await aggregateHandler(event);
    const again = batchItemFailures.map((f) => JSON.parse(byId.get(f.itemIdentifier)?.body ?? '{}') as BusEvent);
    bus.targets.set('aggregate', [...again, ...(bus.targets.get('aggregate') ?? [])]);
    return batchItemFailures.length;
  };

  /** Invokes the alert handler with each event queued for `rule`; a failed one is queued again. */
  const invoke = async (rule: 'detractorAlert' | 'slackAlert'): Promise<void> => {
    for (const event of bus.take(rule)) {
      try {
        await alertHandler(event);
      } catch (error) {
        failures.push({ rule, error });
        bus.targets.set(rule, [...(bus.targets.get(rule) ?? []), event]);
      }
    }
  };

  return {
    bus,
    store,
    alerts,
    failures,
    aggregate,
    invoke,
    /** What the ingest handler puts on the bus for these events. */
    ingest: (...events: CanonicalEvent[]) =>
      bus.publish(events.map((e) => ({ source: INGEST_SOURCE, detailType: detailTypeOf(e.entity), detail: e }))),
    /** Runs every step, in the order events flow, `rounds` times (each round retries what failed before). */
    settle: async (rounds = 1): Promise<void> => {
      for (let i = 0; i < rounds; i++) {
        await aggregate();
        await invoke('detractorAlert');
        await invoke('slackAlert');
      }
    },
  };
};

/** The pipeline over MemoryStore and memory alerts. */
export const memoryPipeline = (
  options: { store?: MemoryStore } & Omit<Parameters<typeof alertPipeline>[0], 'store' | 'alerts'> = {},
) => alertPipeline({ ...options, store: options.store ?? new MemoryStore(), alerts: memoryAlerts() });

/**
 * Whether a commit is the aggregator marking announced alerts: every state it writes turns a stored pending
 * alert into `announced` (a transition carries a pending mark over as it is).
 */
export const isAlertMark = (plan: CommitPlan, store: MemoryStore): boolean =>
  plan.entities.length > 0 &&
  plan.entities.every(
    (e) => e.state.alert?.status === 'announced' && store.entities.get(e.key)?.value.alert?.status === 'pending',
  );

/** The scores of the alerts recorded, in the order they were. */
export const recordedScores = (alerts: { stored: Map<string, StoredAlert> }): number[] =>
  [...alerts.stored.values()].map((s) => Number(s.alert.score));
