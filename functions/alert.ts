import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventBridgePublisher, makeAlertHandler, makeLogger, requireEnv, slackNotifier } from '@flash/app';
import { DynamoStore } from '@flash/store';

const webhookUrl = process.env.ALERT_WEBHOOK_URL;

export const handler = makeAlertHandler({
  alerts: new DynamoStore(new DynamoDBClient({}), requireEnv('TABLE_NAME')),
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
  logger: makeLogger('alert'),
  now: () => new Date(),
  notify: webhookUrl ? slackNotifier(webhookUrl) : undefined,
});
