import { envSecrets, eventBridgePublisher, makeIngestHandler, makeLogger, metricContextFromEnv } from '@flash/app';
import { connectorFor } from '@flash/connectors';

export const handler = makeIngestHandler({
  connectorFor,
  secrets: envSecrets(),
  publisher: eventBridgePublisher(process.env.EVENT_BUS_NAME ?? 'default'),
  logger: makeLogger('ingest'),
  ctx: metricContextFromEnv(),
  now: () => new Date(),
  publicBaseUrl: process.env.PUBLIC_BASE_URL,
});
