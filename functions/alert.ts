import {
  cachedSecretString,
  customerContext,
  eventBridgePublisher,
  makeAlertHandler,
  makeLogger,
  requireEnv,
  settingsFromEnv,
} from '@flash/app';
import { dynamoDb } from '@flash/aws';
import { dynamoStore } from '@flash/store';

const logger = makeLogger('alert');
const { ctx, alertWebhookUrl: webhookUrl } = settingsFromEnv();
// On AWS the Slack webhook URL is a credential, so it lives in Secrets Manager rather than in the environment;
// it is read again every SECRET_MAX_AGE_MS, so putting the real URL over the placeholder takes effect.
const webhookUrlSecretArn = process.env.ALERT_WEBHOOK_URL_SECRET_ARN;
const webhookUrlFromSecret = webhookUrlSecretArn ? cachedSecretString(webhookUrlSecretArn, { logger }) : undefined;

const store = dynamoStore(dynamoDb(), requireEnv('TABLE_NAME'));

/** Both steps: `Alert Raised` (record, publish once) and `Detractor Detected` (post to Slack), by detail-type. */
export const handler = makeAlertHandler({
  alerts: store,
  customerContext: (customerId) => customerContext(store, customerId, ctx, new Date()),
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
  logger,
  now: () => new Date(),
  slackWebhookUrl: webhookUrl !== undefined ? async () => webhookUrl : webhookUrlFromSecret,
});
