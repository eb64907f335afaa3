import type { Logger } from '@aws-lambda-powertools/logger';
import { ALERT_SOURCE, DETRACTOR_DETECTED, entityKey, isDetractor, parseCanonicalEvent } from '@flash/core';
import type { AlertRecord } from '@flash/store';
import type { EventPublisher } from './bus.js';
import type { customerContext } from './insights.js';

export interface DetractorAlert extends AlertRecord {
  responseId: string;
  source: string;
  score: number;
  comment: string | null;
  contact: string | null;
  customerId: string | null;
  submittedAt: string;
  /** What is at stake with the customer when the alert was raised; null without a customer. */
  atStake: CustomerContext | null;
}

export type CustomerContext = Awaited<ReturnType<typeof customerContext>>;

export interface AlertDeps {
  alerts: {
    recordAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; notified: boolean }>;
    markAlertNotified(key: string): Promise<void>;
  };
  publisher: EventPublisher;
  logger: Logger;
  now: () => Date;
  /** Sends the alert to a Slack-compatible incoming webhook when one is configured. */
  notify?: ((alert: DetractorAlert) => Promise<void>) | undefined;
  /** Reads what is at stake with a customer (billing this year, open pipeline, segment). */
  customerContext?: ((customerId: string) => Promise<CustomerContext>) | undefined;
}

/** Posts a Slack-compatible message; a non-2xx answer is an error so the invocation is retried. */
export const slackNotifier =
  (webhookUrl: string, fetchImpl: typeof fetch = fetch) =>
  async (alert: DetractorAlert): Promise<void> => {
    const customer = alert.customerId ? ` (customer ${alert.customerId})` : '';
    const stake = alert.atStake;
    const money = (n: number) => `${n.toLocaleString('en')} ${stake?.currency ?? ''}`;
    const atStake = stake
      ? `\nAt stake: billing this year ${money(stake.billingThisYear)}, open pipeline ${money(stake.openPipelineValue)}${stake.segment ? `, segment ${stake.segment}` : ''}${stake.owner ? `, owner ${stake.owner}` : ''}`
      : '';
    const text = `:rotating_light: Detractor: score ${alert.score}${customer}${alert.contact ? ` from ${alert.contact}` : ''}${alert.comment ? `: "${alert.comment}"` : ''}${atStake}`;
    const response = await fetchImpl(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
  };

/**
 * Invoked by the detractor rule (score 0-6). Records the alert under the response's key first, so a
 * redelivered event or an edited response never raises a second one; then announces it on the bus, in the
 * log and to the alert webhook, and only then marks it notified. A crash or a failed POST in between leaves
 * it unmarked, and the retry (Lambda's async retries, or a redrive) announces it again: recorded exactly
 * once, notified at least once.
 */
export const makeAlertHandler =
  (deps: AlertDeps) =>
  async (busEvent: { detail: unknown }): Promise<void> => {
    const event = parseCanonicalEvent(busEvent.detail);
    if (event.entity !== 'survey_response' || event.mode !== 'snapshot' || event.deleted) return;
    if (!isDetractor(event.data.score)) return;
    const raised: DetractorAlert = {
      atStake: await stakeOf(event.data.customerId, deps),
      key: entityKey(event),
      raisedAt: deps.now().toISOString(),
      responseId: event.id,
      source: event.source,
      score: event.data.score,
      comment: event.data.comment,
      contact: event.data.email,
      customerId: event.data.customerId,
      submittedAt: event.data.submittedAt,
    };
    const recorded = await deps.alerts.recordAlert(raised);
    if (recorded.notified) return;
    // Announce what was recorded first, so every retry sends the same alert.
    const alert = recorded.alert as DetractorAlert;
    await deps.publisher.publish([{ source: ALERT_SOURCE, detailType: DETRACTOR_DETECTED, detail: alert }]);
    // Score and ids only: comments and e-mail addresses stay out of the logs.
    deps.logger.info('detractor detected', {
      responseId: alert.responseId,
      source: alert.source,
      score: alert.score,
      customerId: alert.customerId,
    });
    await deps.notify?.(alert);
    await deps.alerts.markAlertNotified(alert.key);
  };

/** The customer's stake for the alert; a failed read leaves it out rather than holding the alert back. */
const stakeOf = async (customerId: string | null, deps: AlertDeps): Promise<CustomerContext | null> => {
  if (!customerId || !deps.customerContext) return null;
  try {
    return await deps.customerContext(customerId);
  } catch (error) {
    deps.logger.warn('alert raised without the customer context', { customerId, reason: (error as Error).message });
    return null;
  }
};
