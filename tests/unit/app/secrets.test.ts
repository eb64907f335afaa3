import { createHmac } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  cachedSecretString,
  envSecrets,
  type HttpEvent,
  makeAuthorizer,
  makeIngestHandler,
  secretsManagerSecrets,
} from '@flash/app';
import { AwsError, type AwsJsonClient } from '@flash/aws';
import { connectorFor } from '@flash/connectors';
import type { SecretProvider } from '@flash/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authorizerEvent } from '../../support/gateway.js';
import { httpEvent, memoryPublisher, NOW, SECRETS, signedHeaders } from '../connectors/helpers.js';

const FIVE_MINUTES = 5 * 60_000;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-secrets';
const GENERIC_BODY = Buffer.from(
  JSON.stringify({ events: [{ type: 'customer', id: 'C1', version: 1, name: 'Acme' }] }),
);

type SecretValue = { SecretString?: string };
const noSecret = async (): Promise<SecretValue> => {
  throw new AwsError('ResourceNotFoundException', 'Secrets Manager can not find the specified secret.', {
    status: 400,
    retryable: false,
  });
};
/** What Secrets Manager answers to the next GetSecretValue; a throw is the client's AwsError. */
let getSecretValue = noSecret;
/** Every request the client was given, in order. */
const calls: { action: string; input: object }[] = [];
const client: AwsJsonClient = async <Output>(action: string, input: object) => {
  calls.push({ action, input });
  expect(action).toBe('GetSecretValue');
  return (await getSecretValue()) as Output;
};
/** The request that reads `secretId`. */
const readOf = (secretId: string) => ({ action: 'GetSecretValue', input: { SecretId: secretId } });
afterEach(() => {
  getSecretValue = noSecret;
  calls.length = 0;
});

/** Secrets Manager answering these secret strings, one per call (the last one again after that). */
const secretValues = (...values: string[]) => {
  const queue = [...values];
  getSecretValue = async () => ({ SecretString: queue.length > 1 ? queue.shift() : queue[0] });
};

const spiedLogger = () => {
  const logger = new Logger({ serviceName: 'secrets-tests', logLevel: 'SILENT' });
  return { logger, error: vi.spyOn(logger, 'error'), warn: vi.spyOn(logger, 'warn') };
};

const ingest = (secrets: SecretProvider, logger = spiedLogger().logger) =>
  makeIngestHandler({
    connectorFor,
    secrets,
    publisher: memoryPublisher().publisher,
    logger,
    ctx: { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' },
    now: () => NOW,
  });

/** POST /webhooks/generic signed with `secret`, as the sender does. */
const genericSignedWith = (secret: string): HttpEvent => {
  const headers = { 'x-signature': `sha256=${createHmacHex(secret, GENERIC_BODY)}` };
  return httpEvent('generic', GENERIC_BODY, headers);
};
const createHmacHex = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

const stripeEvent = () => {
  const body = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: {} } }));
  return httpEvent('stripe', body, signedHeaders('stripe', body));
};

describe('webhook secrets from Secrets Manager: one bad key breaks one source', () => {
  it('leaves a source whose key is not a string unconfigured (503 naming it), logs it once, and serves the others', async () => {
    secretValues(
      JSON.stringify({ WEBHOOK_SECRET_GENERIC: SECRETS.WEBHOOK_SECRET_GENERIC, WEBHOOK_SECRET_STRIPE: 123 }),
    );
    const { logger, error } = spiedLogger();
    const handler = ingest(secretsManagerSecrets(SECRET_ARN, { client, logger }), logger);

    for (let i = 0; i < 3; i++) {
      const stripe = await handler(stripeEvent());
      expect(stripe.statusCode).toBe(503);
      expect(JSON.parse(String(stripe.body)).error).toMatch(/WEBHOOK_SECRET_STRIPE/);
      expect((await handler(genericSignedWith(SECRETS.WEBHOOK_SECRET_GENERIC ?? ''))).statusCode).toBe(202);
    }
    const reports = error.mock.calls.filter(([message]) => String(message).includes('webhook secrets'));
    expect(reports).toHaveLength(1);
    expect(JSON.stringify(reports)).toMatch(/WEBHOOK_SECRET_STRIPE is a number/);
    expect(JSON.stringify(reports)).not.toContain(SECRETS.WEBHOOK_SECRET_GENERIC);
  });

  it.each([
    ['a plain string', 'generic_test_secret'],
    ['a JSON string', '"generic_test_secret"'],
    ['a JSON array', '["generic_test_secret"]'],
    ['JSON null', 'null'],
  ])('configures no source from %s, answering 503 (never 500) and never quoting it', async (_, secret) => {
    secretValues(secret);
    const { logger, error } = spiedLogger();
    const handler = ingest(secretsManagerSecrets(SECRET_ARN, { client, logger }), logger);
    const answer = await handler(genericSignedWith(SECRETS.WEBHOOK_SECRET_GENERIC ?? ''));
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(String(answer.body)).error).toMatch(/WEBHOOK_SECRET_GENERIC/);
    expect(error).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(error.mock.calls)).not.toContain('generic_test_secret');
  });

  it('takes a whitespace-only key as unset', async () => {
    secretValues(JSON.stringify({ WEBHOOK_SECRET_GENERIC: '  \n' }));
    const answer = await ingest(secretsManagerSecrets(SECRET_ARN, { client }))(genericSignedWith('  \n'));
    expect(answer.statusCode).toBe(503);
  });
});

describe('secrets are read again after five minutes', () => {
  it('verifies with a rotated signing secret once the cached one is five minutes old, and not before', async () => {
    secretValues(
      JSON.stringify({ WEBHOOK_SECRET_GENERIC: 'old-secret' }),
      JSON.stringify({ WEBHOOK_SECRET_GENERIC: 'new-secret' }),
    );
    let now = Date.parse('2026-11-23T10:00:00Z');
    const handler = ingest(secretsManagerSecrets(SECRET_ARN, { client, now: () => now }));

    expect((await handler(genericSignedWith('old-secret'))).statusCode).toBe(202);
    now += FIVE_MINUTES - 1;
    // put-secret-value happened meanwhile; the cached secret is still in use.
    expect((await handler(genericSignedWith('old-secret'))).statusCode).toBe(202);
    expect(calls).toEqual([readOf(SECRET_ARN)]);
    now += 1;
    expect((await handler(genericSignedWith('new-secret'))).statusCode).toBe(202);
    expect((await handler(genericSignedWith('old-secret'))).statusCode).toBe(401);
    expect(calls).toEqual([readOf(SECRET_ARN), readOf(SECRET_ARN)]);
  });

  it('lets the authorizer accept a new API token, and refuse the old one, five minutes after it was put', async () => {
    secretValues('token-one', 'token-two');
    let now = Date.parse('2026-11-23T10:00:00Z');
    const token = cachedSecretString('api-token', { client, now: () => now });
    // As functions/authorizer.ts wires it.
    const authorize = makeAuthorizer({
      documents: { getDocuments: async () => new Map() },
      apiToken: async () => (await token()) ?? '',
      logger: spiedLogger().logger,
    });
    const request = (value: string) => authorizerEvent({ authorization: `Bearer ${value}` });

    expect(await authorize(request('token-one'))).toMatchObject({ isAuthorized: true });
    now += FIVE_MINUTES;
    expect(await authorize(request('token-two'))).toMatchObject({ isAuthorized: true });
    expect(await authorize(request('token-one'))).toMatchObject({ isAuthorized: false });
  });

  it('reads a blank API token secret as no token: nobody is let in', async () => {
    secretValues('   ');
    const token = cachedSecretString('api-token', { client });
    const authorize = makeAuthorizer({
      documents: { getDocuments: async () => new Map() },
      apiToken: async () => (await token()) ?? '',
      logger: spiedLogger().logger,
    });
    expect(await authorize(authorizerEvent({ authorization: 'Bearer    ' }))).toMatchObject({ isAuthorized: false });
  });

  it('keeps the last value when a refresh fails, and reads again after a short while', async () => {
    let reads = 0;
    getSecretValue = async () => {
      reads++;
      // What the client throws once its own retries of a throttled read are spent.
      if (reads === 2) throw new AwsError('ThrottlingException', 'Rate exceeded', { status: 400, retryable: true });
      return { SecretString: reads === 1 ? 'first' : 'second' };
    };
    let now = 0;
    const { logger, warn } = spiedLogger();
    const secret = cachedSecretString('s', { client, now: () => now, logger });
    expect(await secret()).toBe('first');
    now += FIVE_MINUTES;
    expect(await secret()).toBe('first');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await secret()).toBe('first'); // no new read right after a failure
    expect(reads).toBe(2);
    now += 60_000;
    expect(await secret()).toBe('second');
  });

  it('does not keep a failed first read: the next call reads again', async () => {
    let reads = 0;
    getSecretValue = async () => {
      if (++reads === 1) throw new AwsError('NetworkingError', 'network down', { retryable: true });
      return { SecretString: 'value' };
    };
    const secret = cachedSecretString('s', { client });
    await expect(secret()).rejects.toThrow('network down');
    expect(await secret()).toBe('value');
  });

  it('shares one read among the callers that ask at the same time', async () => {
    secretValues('value');
    const secret = cachedSecretString('s', { client });
    expect(await Promise.all([secret(), secret(), secret()])).toEqual(['value', 'value', 'value']);
    expect(calls).toEqual([readOf('s')]);
  });
});

describe('secrets from the environment (npm start)', () => {
  it.each([
    ['WEBHOOK_SECRET_DELIGHTED', ' '],
    ['PIPEDRIVE_BASIC_AUTH', '\t'],
    ['API_TOKEN', '  '],
    ['ALERT_WEBHOOK_URL', '\n'],
  ])('refuse to start with %s set to whitespace, naming it', (name, value) => {
    expect(() => envSecrets({ WEBHOOK_SECRET_GENERIC: 'fine', [name]: value })).toThrow(
      new RegExp(`^${name} is only whitespace`),
    );
  });

  it('take an empty variable as unset, and use the others', async () => {
    const secrets = envSecrets({ WEBHOOK_SECRET_DELIGHTED: '', WEBHOOK_SECRET_GENERIC: 'fine' });
    expect(await secrets.get('WEBHOOK_SECRET_DELIGHTED')).toBeUndefined();
    expect(await secrets.get('WEBHOOK_SECRET_GENERIC')).toBe('fine');
  });
});
