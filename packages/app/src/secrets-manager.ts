import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { SecretProvider } from './config.js';

/** Runs `load` once and shares its result; a failed load is forgotten so that the next call tries again. */
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
};

const readSecretString = async (client: SecretsManagerClient, secretId: string): Promise<string> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
};

/** A secret's string, read from Secrets Manager on first use and kept for the life of the execution environment. */
export const cachedSecretString = (secretId: string, client = new SecretsManagerClient({})): (() => Promise<string>) =>
  once(() => readSecretString(client, secretId));

/**
 * SecretProvider over one JSON secret that holds every signing secret under its variable name, e.g.
 * `{"WEBHOOK_SECRET_STRIPE": "whsec_…", "PIPEDRIVE_BASIC_AUTH": "user:password"}`. Read once per cold start;
 * a missing or empty key is an unconfigured source, as with an unset environment variable locally.
 */
export const secretsManagerSecrets = (secretId: string, client = new SecretsManagerClient({})): SecretProvider => {
  // The schema is built here, not at module level, so functions that only read one secret do not bundle zod.
  const values = once(async () =>
    z.record(z.string(), z.string()).parse(JSON.parse(await readSecretString(client, secretId))),
  );
  return { get: async (name) => (await values())[name] || undefined };
};
