import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { json } from '@flash/app';
import { type HostCheck, localHostNames, startHttpServer } from '@flash/local';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestHandler, NOW, SECRETS } from '../connectors/helpers.js';

/**
 * The local server as API Gateway's stand-in: which scheme and host it reports to the handlers (issue 12
 * finding 8, issue 13), and which Host names it answers without an API token (DNS rebinding). Real HTTP on a
 * free port; each server is stopped by the test that started it.
 */

const BODY = '[{"subscriptionType":"deal.deletion","objectId":42,"occurredAt":1773921533688}]';

/** HubSpot's v3 headers for BODY posted to `url`, as HubSpot computes them. */
const hubspotSigned = (url: string): Record<string, string> => {
  const ts = String(NOW.getTime());
  const signature = createHmac('sha256', SECRETS.WEBHOOK_SECRET_HUBSPOT ?? '')
    .update(`POST${url}${BODY}${ts}`)
    .digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts };
};

/** One request with node:http, which (unlike fetch) sends the Host header it is given. */
const send = (
  port: number,
  {
    method = 'GET',
    path = '/',
    headers = {},
    body,
  }: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> =>
  new Promise((resolveAnswer, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of servers.splice(0)) await stop();
});

const start = async (options: { trustForwardedHeaders?: boolean; hostCheck?: HostCheck } = {}) => {
  const ingest = ingestHandler();
  const http = await startHttpServer(
    [
      { method: 'POST', path: '/webhooks/{source}', handler: ingest },
      { method: 'GET', path: '/v1/*', handler: async () => json(200, { figures: 'secret' }) },
      { method: 'GET', path: '/local/dead-letters', handler: async () => json(200, { queues: [] }) },
    ],
    { port: 0, onError: () => undefined, ...options },
  );
  servers.push(() => http.stop());
  return http.port;
};

describe('local HTTP server', () => {
  describe('the URL a HubSpot signature covers', () => {
    it('verifies a delivery signed over the plain-HTTP URL it was posted to', async () => {
      const port = await start();
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        const url = `http://${host}/webhooks/hubspot`;
        const answer = await send(port, {
          method: 'POST',
          path: '/webhooks/hubspot',
          headers: { host, ...hubspotSigned(url) },
          body: BODY,
        });
        expect(answer, host).toEqual({ status: 202, body: '{"accepted":1,"ignored":0}' });
      }
    });

    it('reports the connection scheme, whatever X-Forwarded-Proto the client sends', async () => {
      const port = await start();
      const answer = await send(port, {
        method: 'POST',
        path: '/webhooks/hubspot',
        headers: { 'x-forwarded-proto': 'https', ...hubspotSigned(`https://127.0.0.1:${port}/webhooks/hubspot`) },
        body: BODY,
      });
      expect(answer.status).toBe(401);
    });

    it('refuses a delivery signed for another endpoint and pointed there with X-Forwarded-Host', async () => {
      const port = await start();
      const elsewhere = 'https://hooks.other-tenant.example/webhooks/hubspot';
      const headers = {
        'x-forwarded-host': 'hooks.other-tenant.example',
        'x-forwarded-proto': 'https',
        ...hubspotSigned(elsewhere),
      };
      const answer = await send(port, { method: 'POST', path: '/webhooks/hubspot', headers, body: BODY });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatch(/X-HubSpot-Signature-v3 does not match/);
    });

    it('believes X-Forwarded-Host and X-Forwarded-Proto only when told to (a proxy or tunnel you run)', async () => {
      const port = await start({ trustForwardedHeaders: true });
      const headers = {
        'x-forwarded-host': 'hooks.example.com, proxy.internal',
        'x-forwarded-proto': 'https, http',
        ...hubspotSigned('https://hooks.example.com/webhooks/hubspot'),
      };
      const answer = await send(port, { method: 'POST', path: '/webhooks/hubspot', headers, body: BODY });
      expect(answer.status).toBe(202);
    });
  });

  describe('Host names without an API token (DNS rebinding)', () => {
    const hostCheck = { allowed: localHostNames('https://figures.example.com/base'), anyHost: /^\/webhooks\// };

    it('refuses another name with 403 and says why, on the API and the dead letters', async () => {
      const port = await start({ hostCheck });
      for (const path of ['/v1/nps/detractors?period=2026-11', '/local/dead-letters']) {
        for (const host of [`rebind.attacker.example:${port}`, 'localhost.attacker.example', '127.0.0.1.nip.io']) {
          const answer = await send(port, { path, headers: { host } });
          expect(answer.status, `${host} ${path}`).toBe(403);
          expect(JSON.parse(answer.body).error).toMatch(
            /^Host ".*" is not served: without API_TOKEN this stack answers only localhost, 127\.0\.0\.1, \[::1\], figures\.example\.com \(any port\)/,
          );
          expect(answer.body).not.toMatch(/secret/);
        }
      }
    });

    it('answers the loopback names and the host of PUBLIC_BASE_URL, with any port and any case', async () => {
      const port = await start({ hostCheck });
      for (const host of [
        `localhost:${port}`,
        `127.0.0.1:${port}`,
        `[::1]:${port}`,
        'LOCALHOST',
        'figures.example.com',
      ]) {
        expect((await send(port, { path: '/v1/metrics', headers: { host } })).status, host).toBe(200);
      }
    });

    it('lets webhooks through whatever the Host, since they are signed', async () => {
      const port = await start({ hostCheck });
      const host = 'hooks.tunnel.example';
      const answer = await send(port, {
        method: 'POST',
        path: '/webhooks/hubspot',
        headers: { host, ...hubspotSigned(`http://${host}/webhooks/hubspot`) },
        body: BODY,
      });
      expect(answer.status).toBe(202);
      const unsigned = await send(port, { method: 'POST', path: '/webhooks/hubspot', headers: { host }, body: BODY });
      expect(unsigned.status).toBe(401);
    });
  });
});
