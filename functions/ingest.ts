import {
  envSecrets,
  eventBridgePublisher,
  makeIngestHandler,
  makeLogger,
  requireEnv,
  secretsManagerSecrets,
  settingsFromEnv,
} from '@flash/app';
import { connectorFor } from '@flash/connectors';

const logger = makeLogger('ingest');
const { ctx, publicBaseUrl, connectorSettings } = settingsFromEnv();
const secretsArn = process.env.WEBHOOK_SECRETS_ARN;
// On AWS only the deployment's enabled sources are served; the others answer 404 like an unknown source.
const enabledSources = process.env.ENABLED_SOURCES?.split(',');

export const handler = makeIngestHandler({
  connectorFor: (source) => (enabledSources && !enabledSources.includes(source) ? undefined : connectorFor(source)),
  // Read again every SECRET_MAX_AGE_MS; a malformed key leaves only its own source unconfigured.
  secrets: secretsArn ? secretsManagerSecrets(secretsArn, { logger }) : envSecrets(),
  // No fallback to the default bus: no rule listens there, so events would be answered 202 and lost.
  publisher: eventBridgePublisher(requireEnv('EVENT_BUS_NAME')),
  logger,
  ctx,
  now: () => new Date(),
  publicBaseUrl,
  settings: connectorSettings,
});
