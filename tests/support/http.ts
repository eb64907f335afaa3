import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a test's own HTTP server on a port of 127.0.0.1 the OS picks free (so the suite can run twice at once):
 * its base URL, and a stop that drops its open keep-alive connections rather than waiting for them.
 */
export const listenLocally = async (server: Server): Promise<{ url: string; stop: () => Promise<void> }> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
};

export const signTypeform = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
export const signHexSha256 = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export const postWebhook = async (baseUrl: string, source: string, body: string, headers: Record<string, string>) => {
  const response = await fetch(`${baseUrl}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

export const getJson = async <T = Record<string, unknown>>(url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (response.status === 304 ? undefined : await response.json()) as T,
  };
};

/** Polls until `check` returns a value or `timeoutMs` passes; returns how long it took. */
export const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> => {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
