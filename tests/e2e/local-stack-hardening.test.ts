import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issues 12 (finding 8) and 13 against `startLocalStack` as `npm start` runs it, over real HTTP on a free port,
 * without API_TOKEN (the local default): HubSpot signatures over the URL actually called, parameters that
 * used to be answered 500, DNS rebinding, and what listens where.
 */

const HUBSPOT_SECRET = 'hs_hardening_secret_4d1e';
const OCCURRED_AT = Date.parse('2026-11-05T08:00:00Z');
const BODY = JSON.stringify([{ subscriptionType: 'deal.creation', objectId: 9001, occurredAt: OCCURRED_AT }]);

/** The headers HubSpot sends with BODY posted to `url` (v3: method + URL + body + timestamp). */
const hubspotHeaders = (url: string): Record<string, string> => {
  const ts = String(Date.now());
  const signature = createHmac('sha256', HUBSPOT_SECRET).update(`POST${url}${BODY}${ts}`).digest('base64');
  return { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts };
};

/** A request with node:http, which sends the Host header it is given (fetch does not). */
const raw = (
  port: number,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string }> =>
  new Promise((resolveAnswer, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** Whether a TCP connection to host:port is accepted within 2 s. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolveProbe) => {
    const socket = connect({ host, port, timeout: 2000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolveProbe(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });

/** This machine's addresses other than loopback (IPv6 link-local ones need a zone, and are left out). */
const otherAddresses = (): string[] =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a?.address ?? '');

/** Whether the Java runtime on PATH can compile (a JDK): then DynamoDB Local must be bound to loopback. */
const javaCanCompile = (): boolean =>
  (spawnSync('java', ['--list-modules'], { encoding: 'utf8' }).stdout ?? '').includes('jdk.compiler@');

describe('local stack against hostile requests', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      env: { WEBHOOK_SECRET_HUBSPOT: HUBSPOT_SECRET, METRICS_TIMEZONE: 'UTC' },
      port: 0,
      logLevel: 'SILENT',
      readCacheMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('HubSpot signatures cover the URL actually called', () => {
    it('accepts a delivery signed, as HubSpot does, over the plain-HTTP URL it was posted to', async () => {
      const url = `${stack.url}/webhooks/hubspot`;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/hubspot$/);
      const answer = await fetch(url, { method: 'POST', headers: hubspotHeaders(url), body: BODY });
      expect({ status: answer.status, body: await answer.json() }).toEqual({
        status: 202,
        body: { accepted: 1, ignored: 0 },
      });
      await stack.settled();
      const pipeline = (await (await fetch(`${stack.url}/v1/pipeline?period=2026-11`)).json()) as { created: number };
      expect(pipeline.created).toBe(1);
    });

    it('refuses a delivery signed for another endpoint, even pointed there with X-Forwarded-Host', async () => {
      const elsewhere = 'https://hooks.other-tenant.example/webhooks/hubspot';
      const answer = await fetch(`${stack.url}/webhooks/hubspot`, {
        method: 'POST',
        headers: {
          ...hubspotHeaders(elsewhere),
          'x-forwarded-host': 'hooks.other-tenant.example',
          'x-forwarded-proto': 'https',
        },
        body: BODY,
      });
      expect(answer.status).toBe(401);
    });
  });

  describe('bad parameters are a 400 naming them, never a 500', () => {
    const get = async (path: string) => {
      const answer = await fetch(`${stack.url}${path}`);
      return { status: answer.status, error: ((await answer.json()) as { error?: string }).error };
    };
    const put = async (path: string, body: unknown) => {
      const answer = await fetch(`${stack.url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
      return { status: answer.status, error: ((await answer.json()) as { error?: string }).error };
    };

    it('bounds every id at 256 characters and says so', async () => {
      // 1,100 characters used to reach DynamoDB as a key over its 1,024 bytes: a 500.
      expect(await get(`/v1/kpis?user=${'u'.repeat(1100)}`)).toEqual({
        status: 400,
        error: 'user must be an id of at most 256 characters',
      });
      expect(await get(`/v1/kpis?user=${'u'.repeat(256)}`)).toMatchObject({
        status: 400,
        error: expect.stringMatching(/^user "u+" does not exist/),
      });
      expect(await get(`/v1/pipeline?owner=${'o'.repeat(1100)}`)).toEqual({
        status: 400,
        error: 'owner must be a non-empty id of at most 256 characters',
      });
      expect((await get(`/v1/coaching?owner=${'o'.repeat(256)}`)).status).toBe(200);
      expect(await put(`/v1/profiles/${'p'.repeat(257)}`, { name: 'P', kpis: [] })).toMatchObject({
        status: 400,
        error: expect.stringMatching(/^id must be 1-256 letters/),
      });
      expect((await put(`/v1/profiles/${'p'.repeat(256)}`, { name: 'P', kpis: [] })).status).toBe(200);
    });

    it('refuses a malformed percent-encoding in a profile or user id', async () => {
      for (const path of ['/v1/profiles/%ZZ', '/v1/users/%E0%A4%A', '/v1/profiles/%']) {
        expect(await put(path, { name: 'P', kpis: [] }), path).toEqual({
          status: 400,
          error: 'id is not valid percent-encoding (a "%" must be followed by two hexadecimal digits)',
        });
      }
    });

    it('refuses a target the store cannot keep, naming the field', async () => {
      const profile = (target: number) => ({ name: 'Sales', kpis: [{ template: 'wonValue', target }] });
      // JSON's 1e308 is a finite number to JavaScript; DynamoDB stops at 1e125 and the SDK at 2^53 - 1.
      expect(await put('/v1/profiles/sales', profile(1e308))).toEqual({
        status: 400,
        error:
          'kpis[0].target: 1e+308 is outside the numbers that can be stored (0, or a magnitude from 1e-130 to 9007199254740991)',
      });
      for (const target of [1e125, 9007199254740992, 1e-131]) {
        expect(await put('/v1/profiles/sales', profile(target)), String(target)).toMatchObject({
          status: 400,
          error: expect.stringMatching(/^kpis\[0\]\.target: \S+ is outside the numbers that can be stored/),
        });
      }
      for (const target of [0, 1e-130, 9007199254740991, 2500.5]) {
        expect((await put('/v1/profiles/sales', profile(target))).status, String(target)).toBe(200);
      }
    });

    it('reads numbers in query parameters as plain decimals only', async () => {
      for (const budget of ['0x10', '1e5', '+5', '-5', ' 5', '5.', '.5', 'Infinity', '0', '0b11', '1_000']) {
        expect(await get(`/v1/pipeline/requirements?budget=${encodeURIComponent(budget)}`), budget).toEqual({
          status: 400,
          error: expect.stringMatching(/^budget must be a positive plain decimal/),
        });
      }
      expect((await get('/v1/pipeline/requirements?budget=2500.50')).status).toBe(200);
    });
  });

  describe('DNS rebinding, with no API_TOKEN', () => {
    it('refuses a Host that is not a loopback name on the API and the dead letters, with a clear 403', async () => {
      for (const path of ['/v1/nps/detractors?period=2026-11', '/local/dead-letters', '/']) {
        const answer = await raw(stack.port, path, { host: `rebind.attacker.example:${stack.port}` });
        expect(answer.status, path).toBe(403);
        expect(JSON.parse(answer.body).error).toMatch(/^Host "rebind\.attacker\.example:\d+" is not served/);
      }
    });

    it('answers localhost, 127.0.0.1 and [::1] on any port', async () => {
      for (const host of [`localhost:${stack.port}`, `127.0.0.1:${stack.port}`, `[::1]:${stack.port}`, 'localhost']) {
        expect((await raw(stack.port, '/local/dead-letters', { host })).status, host).toBe(200);
      }
    });

    it('still takes webhooks whatever the Host: they are signed', async () => {
      const answer = await raw(stack.port, '/webhooks/hubspot', { host: 'hooks.tunnel.example' }, 'POST');
      expect(answer.status).toBe(401);
    });
  });

  describe('what listens where', () => {
    it('keeps DynamoDB Local and the HTTP server off every non-loopback address of this machine', async () => {
      const dynamoPort = Number(new URL(stack.dynamo.endpoint).port);
      expect(await accepts('127.0.0.1', dynamoPort)).toBe(true);
      if (javaCanCompile()) {
        expect(stack.dynamo.listensOn).toBe('loopback');
      } else {
        // A JRE cannot compile the launcher: the documented limitation, said at start.
        expect(stack.dynamo.listensOn).toBe('all interfaces');
        expect(stack.dynamo.warning).toMatch(/listens on every network interface/);
        return;
      }
      const addresses = otherAddresses();
      for (const address of addresses) {
        expect(await accepts(address, dynamoPort), `DynamoDB Local on ${address}`).toBe(false);
        expect(await accepts(address, stack.port), `HTTP on ${address}`).toBe(false);
      }
    });
  });
});
