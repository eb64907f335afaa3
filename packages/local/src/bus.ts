import { randomUUID } from 'node:crypto';
import type { BusEntry, EventPublisher } from '@flash/app';
import { type BusEvent, type EventPattern, matchesPattern } from '@flash/core';

export interface LocalRule {
  name: string;
  pattern: EventPattern;
  /** Hands the matching event to the rule's target (a queue, or an asynchronous function invocation). */
  deliver(event: BusEvent): Promise<void> | void;
}

/**
 * An in-process EventBridge: wraps entries in the EventBridge envelope and routes each to every rule whose
 * pattern matches, with the same patterns the CDK stack deploys. Keeps the last events for inspection.
 */
export class LocalBus implements EventPublisher {
  readonly recent: BusEvent[] = [];
  private readonly rules: LocalRule[] = [];

  constructor(private readonly keepRecent = 200) {}

  addRule(rule: LocalRule): this {
    this.rules.push(rule);
    return this;
  }

  async publish(entries: readonly BusEntry[]): Promise<void> {
    const events = entries.map((entry) => this.envelope(entry));
    for (const event of events) {
      for (const rule of this.rules) if (matchesPattern(rule.pattern, event)) await rule.deliver(event);
      this.recent.push(event);
      if (this.recent.length > this.keepRecent) this.recent.shift();
    }
  }

  private envelope(entry: BusEntry): BusEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      // What PutEvents carries is JSON: round-trip it so targets see exactly what EventBridge would deliver.
      detail: JSON.parse(JSON.stringify(entry.detail)),
    };
  }
}

/**
 * Lambda's asynchronous invocation, as an EventBridge rule target uses it: the caller does not wait, and a
 * failed invocation is retried twice with a delay before it is given up (and reported).
 */
export const asyncInvoke =
  <E>(fn: (event: E) => Promise<unknown>, onFailure: (error: unknown) => void, retryDelayMs = 200) =>
  (event: E): void => {
    const attempt = (n: number): void => {
      fn(event).catch((error) => {
        if (n >= 2) onFailure(error);
        else setTimeout(() => attempt(n + 1), retryDelayMs * (n + 1));
      });
    };
    attempt(0);
  };
