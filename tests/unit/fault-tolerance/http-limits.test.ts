import { request } from 'node:http';
import { MAX_BODY_BYTES } from '@flash/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../packages/local/src/http-server.js';

describe('local HTTP server: body size limit', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let calls = 0;
  beforeAll(async () => {
    server = await startHttpServer(
      [
        {
          method: 'POST',
          path: '/webhooks/{source}',
          handler: async () => {
            calls++;
            return { statusCode: 202, body: '{}' };
          },
        },
      ],
      { port: 0, onError: () => {} },
    );
  });
  afterAll(() => server.stop());

  const post = (headers: Record<string, string>, send: (write: (chunk: Buffer) => void) => void) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ port: server.port, method: 'POST', path: '/webhooks/generic', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      send((chunk) => req.write(chunk));
    });

  it('answers 413 from Content-Length alone, before reading the body', async () => {
    const status = await post({ 'content-length': String(50 * MAX_BODY_BYTES) }, (write) => write(Buffer.alloc(10)));
    expect(status).toBe(413);
    expect(calls).toBe(0);
  });

  it('stops reading a chunked body once it passes the limit and answers 413 without waiting for its end', async () => {
    // The request is never ended: a server that read to the end would never answer.
    const status = await post({ 'transfer-encoding': 'chunked' }, (write) => {
      for (let i = 0; i < 3; i++) write(Buffer.alloc(MAX_BODY_BYTES / 2));
    });
    expect(status).toBe(413);
    expect(calls).toBe(0);
  });
});
