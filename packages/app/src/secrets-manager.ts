import type { Logger } from '@aws-lambda-powertools/logger';
import { type AwsJsonClient, awsJsonClient, SECRETS_MANAGER } from '@flash/aws';
import type { SecretProvider } from '@flash/core';
import { nonBlankSecret } from './config.js';

/**
 * How long a function uses a secret it read before reading it again. A value put with `put-secret-value`
 * (a rotated signing secret, a new API token, the Slack URL) is in use everywhere within this time, at the
 * cost of one GetSecretValue per secret, execution environment and period.
 */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

/** After a failed refresh, the last value read is used this much longer before the next attempt. */
export const SECRET_RETRY_AFTER_MS = 30_000;

export interface SecretCacheOptions {
  /** @default awsJsonClient(SECRETS_MANAGER): the environment's region and keys */
  client?: AwsJsonClient;
  /** @default SECRET_MAX_AGE_MS */
  maxAgeMs?: number;
  /** Epoch ms; tests move it. */
  now?: () => number;
  /** Where a failed refresh (the last value stays in use) and a malformed secret are reported. */
  logger?: Logger;
}

/**
 * `load`'s result, shared by every caller and read again once older than `maxAgeMs`; callers during a read
 * share it. A failed first read throws (and the next call tries again); a failed refresh keeps the last
 * value for `SECRET_RETRY_AFTER_MS`, so that Secrets Manager being unreachable for a moment does not take a
 * configured function down.
 */
const refreshing = <T>(
  load: () => Promise<T>,
  { maxAgeMs = SECRET_MAX_AGE_MS, now = Date.now, onStale }: SecretCacheOptions & { onStale: (e: unknown) => void },
): (() => Promise<T>) => {
  let current: { value: T; freshUntil: number } | undefined;
  let pending: Promise<T> | undefined;
  const refresh = (): Promise<T> => {
    pending ??= load()
      .then(
        (value) => {
          current = { value, freshUntil: now() + maxAgeMs };
          return value;
        },
        (error: unknown) => {
          if (!current) throw error;
          current.freshUntil = now() + SECRET_RETRY_AFTER_MS;
          onStale(error);
          return current.value;
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return () => (current && now() < current.freshUntil ? Promise.resolve(current.value) : refresh());
};

const readSecretString = async (client: AwsJsonClient, secretId: string): Promise<string> => {
  const { SecretString } = await client<{ SecretString?: string }>('GetSecretValue', { SecretId: secretId });
  if (SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
};

const staleLogger = (secretId: string, logger: Logger | undefined) => (error: unknown) =>
  logger?.warn('secret not refreshed; the last value read stays in use', {
    secretId,
    reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });

/**
 * A secret's string, read from Secrets Manager on first use and again once older than `maxAgeMs`
 * (SECRET_MAX_AGE_MS). Undefined when the secret is empty or only whitespace: a blank secret is no secret.
 */
export const cachedSecretString = (
  secretId: string,
  options: SecretCacheOptions = {},
): (() => Promise<string | undefined>) => {
  const client = options.client ?? awsJsonClient(SECRETS_MANAGER);
  return refreshing(async () => nonBlankSecret(await readSecretString(client, secretId)), {
    ...options,
    onStale: staleLogger(secretId, options.logger),
  });
};

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * The usable keys of the webhook secrets JSON, and what is wrong with the others. Validated key by key: a
 * key whose value is not a string, or only whitespace, is left out (that source is not configured) and
 * named; the other keys are used. A secret that is not a JSON object configures nothing. Problems name keys
 * and types, never values.
 */
export const parseSecretsJson = (text: string): { values: Map<string, string>; problems: string[] } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's message quotes the text, which is a secret.
    return { values: new Map(), problems: ['the secret is not JSON; it must be a JSON object of strings'] };
  }
  if (kindOf(parsed) !== 'object')
    return { values: new Map(), problems: [`the secret is a JSON ${kindOf(parsed)}, not an object of strings`] };
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') problems.push(`${key} is a ${kindOf(value)}, not a string`);
    else if (value === '') continue;
    else if (nonBlankSecret(value) === undefined) problems.push(`${key} is only whitespace`);
    else values.set(key, value);
  }
  return { values, problems };
};

/**
 * SecretProvider over one JSON secret that holds every signing secret under its variable name, e.g.
 * `{"WEBHOOK_SECRET_STRIPE": "whsec_…", "PIPEDRIVE_BASIC_AUTH": "user:password"}`, read again once older
 * than `maxAgeMs` (SECRET_MAX_AGE_MS). A missing, empty or malformed key is an unconfigured source (ingest
 * answers 503 naming it), as with an unset environment variable locally; the other keys keep working. What
 * is malformed is logged once, and again only when it changes.
 */
export const secretsManagerSecrets = (secretId: string, options: SecretCacheOptions = {}): SecretProvider => {
  const client = options.client ?? awsJsonClient(SECRETS_MANAGER);
  let reported = '';
  const values = refreshing(
    async () => {
      const { values, problems } = parseSecretsJson(await readSecretString(client, secretId));
      const report = problems.join('; ');
      if (report !== reported && report !== '')
        options.logger?.error('webhook secrets: keys left unconfigured', { secretId, problems });
      reported = report;
      return values;
    },
    { ...options, onStale: staleLogger(secretId, options.logger) },
  );
  return { get: async (name) => (await values()).get(name) };
};
