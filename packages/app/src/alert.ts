import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ALERT_SOURCE,
  type AlertRecord,
  type AlertStore,
  DETRACTOR_DETECTED,
  type EventPublisher,
  entityKey,
  isDetractor,
  parseCanonicalEvent,
} from '@flash/core';
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

/**
 * The value the deployment puts in the AlertWebhookUrl secret until the operator sets the real URL
 * (packages/cdk/src/metrics-data.ts uses this constant). It means "not configured", as does an empty URL.
 */
export const SLACK_WEBHOOK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/ME';

/** The Slack webhook URL to post to, or undefined when none is configured (unset, blank or the placeholder). */
export const configuredSlackUrl = (url: string | undefined): string | undefined => {
  const trimmed = url?.trim();
  return trimmed && trimmed !== SLACK_WEBHOOK_PLACEHOLDER ? trimmed : undefined;
};

/**
 * Slack's escaping for message text: `&`, `<` and `>` are its control characters (`<!channel>`,
 * `<https://…|label>`, `<@U123>`), so user-provided text shows as typed and never mentions or links.
 */
export const escapeSlackText = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export interface AlertDeps {
  alerts: AlertStore;
  publisher: EventPublisher;
  logger: Logger;
  now: () => Date;
  /**
   * The Slack-compatible incoming webhook URL, read when an alert is delivered (on AWS a cached secret, so a
   * new URL is picked up). Undefined, an empty URL or SLACK_WEBHOOK_PLACEHOLDER mean "not configured".
   */
  slackWebhookUrl?: (() => Promise<string | undefined>) | undefined;
  fetch?: typeof fetch | undefined;
  /** Reads what is at stake with a customer (billing this year, open pipeline, segment). */
  customerContext?: ((customerId: string) => Promise<CustomerContext>) | undefined;
}

/**
 * Posts a Slack-compatible message; a non-2xx answer is an error so the delivery is retried. Every value
 * that comes from a respondent or a source (comment, contact, ids, labels) is escaped.
 */
export const slackNotifier =
  (webhookUrl: string, fetchImpl: typeof fetch = fetch) =>
  async (alert: DetractorAlert): Promise<void> => {
    const t = escapeSlackText;
    const name = alert.atStake?.customerName;
    const customer = alert.customerId
      ? ` (customer ${name ? `${t(name)}, ${t(alert.customerId)}` : t(alert.customerId)})`
      : '';
    const stake = alert.atStake;
    const money = (n: number) => `${n.toLocaleString('en')} ${t(stake?.currency ?? '')}`;
    const atStake = stake
      ? `\nAt stake: billing this year ${money(stake.billingThisYear)}, open pipeline ${money(stake.openPipelineValue)}${stake.segment ? `, segment ${t(stake.segment)}` : ''}${stake.owner ? `, owner ${t(stake.owner)}` : ''}`
      : '';
    const text = `:rotating_light: Detractor: score ${alert.score}${customer}${alert.contact ? ` from ${t(alert.contact)}` : ''}${alert.comment ? `: "${t(alert.comment)}"` : ''}${atStake}`;
    const response = await fetchImpl(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
  };

/**
 * The alert function, two steps on two rules, each retried on its own:
 *
 * - `Alert Raised` (the aggregator applied a detractor state; rule detractorAlert): records the alert under
 *   the response's key, once; publishes `Detractor Detected` on the bus unless already published, then marks
 *   it published. Slack plays no part here, so a Slack outage never publishes (and e-mails) twice.
 * - `Detractor Detected` (its own publication; rule slackAlert): posts the recorded alert to the Slack
 *   webhook unless it was delivered already, then marks it delivered. A failed POST fails only this step:
 *   it is retried, then dead-lettered, on its own. Without a configured URL it does nothing.
 *
 * Each step announces before it marks, so a stop in between repeats the announcement: recorded exactly once,
 * published and posted at least once.
 */
export const makeAlertHandler = (deps: AlertDeps) => {
  let slackUnconfiguredLogged = false;

  const raise = async (detail: unknown): Promise<void> => {
    // The detail is the applied state as a canonical snapshot (or, redriven from before alerts followed the
    // applied state, the ingested event itself).
    const event = parseCanonicalEvent(detail);
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
    // Publish what was recorded first, so every retry sends the same alert.
    const alert = recorded.alert as DetractorAlert;
    await deps.publisher.publish([{ source: ALERT_SOURCE, detailType: DETRACTOR_DETECTED, detail: alert }]);
    // Score and ids only: comments and e-mail addresses stay out of the logs.
    deps.logger.info('detractor detected', {
      responseId: alert.responseId,
      source: alert.source,
      score: alert.score,
      customerId: alert.customerId,
    });
    await deps.alerts.markAlertNotified(alert.key);
  };

  const deliverToSlack = async (detail: unknown): Promise<void> => {
    const key = (detail as { key?: unknown } | null)?.key;
    if (typeof key !== 'string') throw new Error(`${DETRACTOR_DETECTED} event without an alert key`);
    const url = configuredSlackUrl(await deps.slackWebhookUrl?.());
    if (!url) {
      if (!slackUnconfiguredLogged)
        deps.logger.info(
          'Slack is not configured (no webhook URL, an empty one or the placeholder): alerts are not posted there',
        );
      slackUnconfiguredLogged = true;
      return;
    }
    slackUnconfiguredLogged = false;
    // The stored alert, not the event's copy: the event is only the trigger.
    const stored = await deps.alerts.getAlert(key);
    if (!stored) throw new Error(`alert ${key} is not recorded`);
    if (stored.slackDeliveredAt) return;
    await slackNotifier(url, deps.fetch)(stored.alert as DetractorAlert);
    await deps.alerts.markSlackDelivered(key, deps.now().toISOString());
    deps.logger.info('alert posted to Slack', { key });
  };

  return async (busEvent: { 'detail-type'?: string; detail: unknown }): Promise<void> =>
    busEvent['detail-type'] === DETRACTOR_DETECTED ? deliverToSlack(busEvent.detail) : raise(busEvent.detail);
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
