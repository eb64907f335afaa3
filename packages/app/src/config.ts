import { assertTimeZone, type MetricContext, normaliseCurrency, type SecretProvider } from '@flash/core';
import { corsOriginsFromEnv } from './cors.js';

/** Settings shared by every function; the same variables locally and on AWS (contract section 1). */
export const metricContextFromEnv = (env: NodeJS.ProcessEnv = process.env): MetricContext => {
  const timeZone = env.METRICS_TIMEZONE || 'UTC';
  assertTimeZone(timeZone);
  return { timeZone, baseCurrency: normaliseCurrency(env.BASE_CURRENCY || 'EUR') };
};

export const requireEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string => {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** A secret's value, or undefined when it is unset, empty or only whitespace: a blank secret is no secret. */
export const nonBlankSecret = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== '' ? value : undefined;

/**
 * The variables that hold credentials: the sources' signing secrets (`WEBHOOK_SECRET_*`) and Basic auth
 * (`*_BASIC_AUTH`), the API token and the alert webhook URL.
 */
const SECRET_VARIABLE = /^(WEBHOOK_SECRET_.+|.+_BASIC_AUTH|API_TOKEN|READ_API_TOKEN|ALERT_WEBHOOK_URL)$/;

/**
 * Refuses credentials that are set but only whitespace (`WEBHOOK_SECRET_DELIGHTED=' '`): such a value is a
 * mistake, and would otherwise count as configured (or, locally, as no API token at all). Unset or empty
 * means "not configured" and is fine.
 */
export const assertNoBlankSecrets = (env: NodeJS.ProcessEnv = process.env): void => {
  const blank = Object.keys(env)
    .filter((name) => SECRET_VARIABLE.test(name) && env[name] !== '' && nonBlankSecret(env[name]) === undefined)
    .sort();
  if (blank.length > 0)
    throw new Error(
      `${blank.join(', ')} ${blank.length === 1 ? 'is' : 'are'} only whitespace: set a real value or unset it`,
    );
};

/** Signing secrets from the environment; refuses to start with a whitespace-only one. */
export const envSecrets = (env: NodeJS.ProcessEnv = process.env): SecretProvider => {
  assertNoBlankSecrets(env);
  return { get: async (name) => nonBlankSecret(env[name]) };
};

/**
 * The settings the handlers share, read from one environment by every entry point: the Lambda functions
 * (their environment) and the local stack (its own). Each is checked here, so a wrong value stops the
 * function or `npm start` at once, naming the variable.
 */
export interface Settings {
  ctx: MetricContext;
  /** CORS_ORIGINS: origins that may call /v1 from a browser. */
  corsOrigins: string[];
  /** PUBLIC_BASE_URL: the URL a signature that covers the URL (HubSpot v3) is checked against. */
  publicBaseUrl: string | undefined;
  /** ALERT_WEBHOOK_URL, when set in the environment (on AWS it is a secret instead). */
  alertWebhookUrl: string | undefined;
  /** Connector settings by variable name (HUBSPOT_WON_STAGES, …). */
  connectorSettings: Readonly<Record<string, string | undefined>>;
}

export const settingsFromEnv = (env: NodeJS.ProcessEnv = process.env): Settings => ({
  ctx: metricContextFromEnv(env),
  corsOrigins: corsOriginsFromEnv(env),
  publicBaseUrl: env.PUBLIC_BASE_URL || undefined,
  alertWebhookUrl: env.ALERT_WEBHOOK_URL,
  connectorSettings: env,
});
