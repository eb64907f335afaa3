import type { Logger } from '@aws-lambda-powertools/logger';
import {
  accessOf,
  bearerAllows,
  bearerRefusal,
  type HttpEvent,
  type IngestDeps,
  makeAuthorizer,
  makeConfigHandler,
  makeIngestHandler,
  makeQueryHandler,
  newPersonalToken,
} from '@flash/app';
import type { DocumentStore, MetricContext, QueryStore } from '@flash/core';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeLocalAdminHandler } from '../../../packages/local/src/admin.js';
import { apiEvent, authorizerEvent } from '../../support/gateway.js';

/**
 * One bearer check (bearer.ts) behind every route the table marks `bearer`: the Lambda authorizer on AWS, and
 * locally, where no authorizer stands in front, the query, config and local admin handlers themselves.
 */

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

const event = (method: string, path: string, headers: Record<string, string> = {}) =>
  apiEvent({ method, path, headers });

/** A store no refused request may reach. */
const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('the store was read before the token was checked');
    },
  },
);

describe('the bearer check', () => {
  it('allows exactly `Bearer <token>`', () => {
    expect(bearerAllows('Bearer s3cret', 's3cret')).toBe(true);
    for (const given of [undefined, '', 's3cret', 'Bearer', 'Bearer s3cre', 'Bearer s3cret ', 'bearer s3cret'])
      expect(bearerAllows(given, 's3cret'), String(given)).toBe(false);
  });

  it('allows nobody with an empty token, so a blank secret never opens the API', () => {
    for (const given of [undefined, '', 'Bearer', 'Bearer '])
      expect(bearerAllows(given, ''), String(given)).toBe(false);
  });

  it('answers 401 with WWW-Authenticate and the headers given, or lets the request on', () => {
    const open = event('GET', '/v1/metrics');
    expect(bearerRefusal(open, { full: undefined })).toBeUndefined();
    expect(bearerRefusal(open, { full: '' })).toBeUndefined();
    const withToken = event('GET', '/v1/metrics', { Authorization: 'Bearer s3cret' });
    expect(bearerRefusal(withToken, { full: 's3cret' })).toBeUndefined();
    expect(bearerRefusal(open, { full: 's3cret' }, { vary: 'Origin' })).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', vary: 'Origin', 'www-authenticate': 'Bearer' },
      body: '{"error":"missing or wrong bearer token"}',
    });
  });

  it('lets a read-only token read but never write, and never stand in for the API token', () => {
    const tokens = { full: 's3cret', read: 'wallboard' };
    const asReader = (method: string) => event(method, '/v1/profiles/sales', { authorization: 'Bearer wallboard' });
    expect(accessOf('Bearer wallboard', tokens)).toBe('read');
    expect(accessOf('Bearer s3cret', tokens)).toBe('full');
    expect(accessOf('Bearer wallboard', { full: 's3cret' })).toBeUndefined();
    expect(bearerRefusal(asReader('GET'), tokens, {}, 'read')).toBeUndefined();
    expect(bearerRefusal(asReader('PUT'), tokens)?.statusCode).toBe(403);
    // On AWS the authorizer says which token it was, even from a cached answer for the same header.
    const viaAuthorizer = (kind: string) =>
      ({
        ...asReader('PUT'),
        requestContext: { http: { method: 'PUT' }, authorizer: { lambda: { scope: JSON.stringify({ kind }) } } },
      }) as unknown as HttpEvent;
    expect(bearerRefusal(viaAuthorizer('read'), { full: undefined })?.statusCode).toBe(403);
    expect(bearerRefusal(viaAuthorizer('personal'), { full: undefined })?.statusCode).toBe(403);
    expect(bearerRefusal(viaAuthorizer('admin'), { full: undefined })).toBeUndefined();
  });

  it('is the one the authorizer, the query, config and local admin handlers apply', async () => {
    const authorize = makeAuthorizer({
      documents: { getDocuments: async () => new Map() },
      apiToken: async () => 's3cret',
      readApiToken: async () => 'wallboard',
      logger,
    });
    const request = (authorization?: string, method = 'GET') => authorizerEvent({ authorization, method });
    const allowed = (kind: string) => ({ isAuthorized: true, context: { scope: JSON.stringify({ kind }) } });
    const refused = { isAuthorized: false, context: {} };
    expect(await authorize(request('Bearer s3cret'))).toEqual(allowed('admin'));
    expect(await authorize(request('Bearer s3cret', 'PUT'))).toEqual(allowed('admin'));
    expect(await authorize(request('Bearer wallboard'))).toEqual(allowed('read'));
    expect(await authorize(request('Bearer wallboard', 'PUT'))).toEqual(refused);
    expect(await authorize(request('Bearer wrong'))).toEqual(refused);
    expect(await authorize(request())).toEqual(refused);

    const query = makeQueryHandler({
      store: untouchable as QueryStore,
      ctx: {} as MetricContext,
      now: () => new Date(),
      logger,
      apiToken: 's3cret',
    });
    const config = makeConfigHandler({ store: untouchable as never, logger, apiToken: 's3cret' });
    const admin = makeLocalAdminHandler({ queues: [], apiToken: 's3cret' });
    const refusals = [
      await query(event('GET', '/v1/metrics', { authorization: 'Bearer wrong' })),
      await config(event('PUT', '/v1/profiles/sales', { authorization: 'Bearer wrong' })),
      await admin(event('GET', '/local/dead-letters', { authorization: 'Bearer wrong' })),
    ];
    for (const refusal of refusals) {
      expect(refusal.statusCode).toBe(401);
      expect(refusal.headers?.['www-authenticate']).toBe('Bearer');
      expect(refusal.body).toBe('{"error":"missing or wrong bearer token"}');
    }
    // The read-only token reads, and is refused the configuration (403) and the local admin routes (401).
    const reader = makeConfigHandler({ store: untouchable as never, logger, apiToken: 's3cret', readApiToken: 'wb' });
    expect((await reader(event('PUT', '/v1/profiles/sales', { authorization: 'Bearer wb' }))).statusCode).toBe(403);
    expect((await admin(event('GET', '/local/dead-letters', { authorization: 'Bearer wb' }))).statusCode).toBe(401);
    // Query errors are never cached; the others answer as before.
    expect(refusals.map((r) => r.headers?.['cache-control'])).toEqual(['no-store', undefined, undefined]);

    // The page and the preflights are public.
    expect((await query(event('OPTIONS', '/v1/metrics'))).statusCode).toBe(204);
    expect((await config(event('OPTIONS', '/v1/users/ann'))).statusCode).toBe(204);
  });
});

describe('personal tokens at the authorizer', () => {
  it('lets a personal token read (GET) only, passing its scope to the function; the API token everything', async () => {
    const issued = newPersonalToken('sam', { companyFigures: false, label: null }, new Date('2026-11-23T10:00:00Z'));
    const documents = new Map<string, unknown>([
      [`token:${issued.tokenId}`, issued.stored],
      ['user:sam', { name: 'Sam', profileId: 'sellers', ownerIds: ['s1'] }],
    ]);
    const authorize = makeAuthorizer({
      apiToken: async () => 'admin',
      documents: {
        getDocuments: async (kind, ids) =>
          new Map(ids.flatMap((id) => (documents.has(`${kind}:${id}`) ? [[id, documents.get(`${kind}:${id}`)]] : []))),
      },
      logger,
    });
    const request = (authorization: string, routeKey: string) =>
      ({ headers: { authorization }, rawPath: '/v1/kpis', routeKey }) as unknown as APIGatewayRequestAuthorizerEventV2;

    const read = await authorize(request(`Bearer ${issued.token}`, 'GET /v1/{proxy+}'));
    expect(read.isAuthorized).toBe(true);
    expect(JSON.parse(read.context.scope ?? '')).toEqual({
      kind: 'personal',
      userId: 'sam',
      ownerIds: ['s1'],
      companyFigures: false,
    });
    expect((await authorize(request(`Bearer ${issued.token}`, 'PUT /v1/users/{id}'))).isAuthorized).toBe(false);
    expect((await authorize(request(`Bearer ${issued.token}`, 'POST /v1/events'))).isAuthorized).toBe(false);
    // One character of the secret wrong, or the token's user gone: refused.
    const forged = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await authorize(request(`Bearer ${forged}`, 'GET /v1/{proxy+}'))).isAuthorized).toBe(false);
    expect(issued.stored).not.toHaveProperty('token');
    // The secret is all after `ffp_<id>_`; being base64url it may hold `_` itself (and start with one).
    const secret = issued.token.split('_').slice(2).join('_');
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(issued.stored)).not.toContain(secret);
    documents.delete('user:sam');
    expect((await authorize(request(`Bearer ${issued.token}`, 'GET /v1/{proxy+}'))).isAuthorized).toBe(false);
    const admin = await authorize(request('Bearer admin', 'PUT /v1/users/{id}'));
    expect(admin.isAuthorized).toBe(true);
    expect(JSON.parse(admin.context.scope ?? '')).toEqual({ kind: 'admin' });
  });
});

describe('a personal scope passed by a cached authorizer answer', () => {
  // API Gateway caches the authorizer's answer by the Authorization header alone: an answer given for a GET
  // reaches the write functions too, which therefore refuse a personal scope themselves.
  const personal = JSON.stringify({ kind: 'personal', userId: 'sam', ownerIds: ['s1'], companyFigures: true });
  const withScope = (method: string, path: string, routeKey: string) =>
    apiEvent({
      method,
      path,
      routeKey,
      headers: { authorization: 'Bearer ffp_whatever' },
      body: '{"events": []}',
      authorizer: { scope: personal },
    });

  it('is refused by the config function and by POST /v1/events, before any store or bus is touched', async () => {
    const config = makeConfigHandler({ store: untouchable as DocumentStore, logger });
    expect((await config(withScope('PUT', '/v1/users/sam', 'PUT /v1/users/{id}'))).statusCode).toBe(403);
    expect((await config(withScope('DELETE', '/v1/profiles/p', 'DELETE /v1/profiles/{id}'))).statusCode).toBe(403);
    const ingest = makeIngestHandler({ ...(untouchable as IngestDeps), logger });
    expect((await ingest(withScope('POST', '/v1/events', 'POST /v1/events'))).statusCode).toBe(403);
  });
});
