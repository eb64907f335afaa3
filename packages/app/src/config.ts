import { assertTimeZone, type MetricContext, normaliseCurrency } from '@flash/core';

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

/** Where signing secrets come from: the environment locally, Secrets Manager on AWS. */
export interface SecretProvider {
  get(name: string): Promise<string | undefined>;
}

export const envSecrets = (env: NodeJS.ProcessEnv = process.env): SecretProvider => ({
  get: async (name) => env[name] || undefined,
});
