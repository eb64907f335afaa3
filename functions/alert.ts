import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  cachedSecretString,
  customerContext,
  type DetractorAlert,
  eventBridgePublisher,
  makeAlertHandler,
  makeLogger,
  metricContextFromEnv,
  requireEnv,
  slackNotifier,
} from '@flash/app';
import { DynamoStore } from '@flash/store';

const webhookUrl = process.env.ALERT_WEBHOOK_URL;
// On AWS the Slack webhook URL is a credential, so it lives in Secrets Manager rather than in the environment.
const webhookUrlSecretArn = process.env.ALERT_WEBHOOK_URL_SECRET_ARN;
const webhookUrlFromSecret = webhookUrlSecretArn ? cachedSecretString(webhookUrlSecretArn) : undefined;

const store = new DynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME'));
const ctx = metricContextFromEnv();

export const handler = makeAlertHandler({
  alerts: store,
  customerContext: (customerId) => customerContext(store, customerId, ctx, new Date()),
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
  logger: makeLogger('alert'),
  now: () => new Date(),
  notify: webhookUrl
    ? slackNotifier(webhookUrl)
    : webhookUrlFromSecret && (async (alert: DetractorAlert) => slackNotifier(await webhookUrlFromSecret())(alert)),
});
