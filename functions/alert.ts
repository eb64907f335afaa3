import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  cachedSecretString,
  type DetractorAlert,
  eventBridgePublisher,
  makeAlertHandler,
  makeLogger,
  requireEnv,
  slackNotifier,
} from '@flash/app';
import { DynamoStore } from '@flash/store';

const webhookUrl = process.env.ALERT_WEBHOOK_URL;
// On AWS the Slack webhook URL is a credential, so it lives in Secrets Manager rather than in the environment.
const webhookUrlSecretArn = process.env.ALERT_WEBHOOK_URL_SECRET_ARN;
const webhookUrlFromSecret = webhookUrlSecretArn ? cachedSecretString(webhookUrlSecretArn) : undefined;

export const handler = makeAlertHandler({
  alerts: new DynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
  logger: makeLogger('alert'),
  now: () => new Date(),
  notify: webhookUrl
    ? slackNotifier(webhookUrl)
    : webhookUrlFromSecret && (async (alert: DetractorAlert) => slackNotifier(await webhookUrlFromSecret())(alert)),
});
