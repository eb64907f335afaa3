import { randomUUID } from 'node:crypto';
import { BusUnavailableError } from '@flash/app';
import { type BusEntry, type BusEvent, type EventPattern, type EventPublisher, matchesPattern } from '@flash/core';

export interface LocalRule {
  name: string;
  pattern: EventPattern;
  /** Hands the matching events to the rule's target (a durable queue); resolves once the target holds them. */
  deliver(events: readonly BusEvent[]): Promise<unknown>;
}

/**
 * An in-process EventBridge: wraps entries in the EventBridge envelope and routes them to every rule whose
 * pattern matches, with the same patterns the CDK stack deploys. `publish` resolves only once every target
 * holds its events, as PutEvents answers only once EventBridge stored them. Keeps the last events for
 * inspection.
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
    for (const rule of this.rules) {
      const matching = events.filter((event) => matchesPattern(rule.pattern, event));
      if (matching.length === 0) continue;
      try {
        await rule.deliver(matching);
      } catch (error) {
        throw new BusUnavailableError(`rule ${rule.name} could not deliver: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    this.recent.push(...events);
    this.recent.splice(0, Math.max(0, this.recent.length - this.keepRecent));
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
