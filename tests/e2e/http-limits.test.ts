import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.js';
import { eventually } from '../support/http.js';

/**
 * Issue 13: a body sent one byte every five seconds held a connection for 300 s, and there was no cap on
 * connections. `npm start` runs here as a real child process on a free port, its timeouts shortened through
 * the HTTP_* variables so the test stays fast, and is stopped by this test.
 */

const LIMITS = {
  HTTP_REQUEST_TIMEOUT_MS: '2000',
  HTTP_HEADERS_TIMEOUT_MS: '1500',
  HTTP_MAX_CONNECTIONS: '4',
};
const REQUEST_TIMEOUT_MS = Number(LIMITS.HTTP_REQUEST_TIMEOUT_MS);
const HEADERS_TIMEOUT_MS = Number(LIMITS.HTTP_HEADERS_TIMEOUT_MS);
/** Node checks the timeouts every quarter of the headers timeout (the server sets it); and a loaded machine. */
const SLACK_MS = 1500;

interface Outcome {
  /** What the server wrote before closing. */
  answer: string;
  /** When the connection was closed, in ms after it opened. */
  closedAfterMs: number;
  /** How many bytes the client managed to send by then. */
  sent: number;
}

/**
 * Opens a connection, writes `head` at once, then `drip` one byte every `everyMs` (the slow client), and
 * resolves when the server closes the connection.
 */
const slowClient = (port: number, head: string, drip: string, everyMs: number): Promise<Outcome> =>
  new Promise((resolveOutcome, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const opened = Date.now();
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < drip.length && socket.writable) socket.write(drip[sent++] ?? '');
      }, everyMs);
    });
    socket.once('close', () => {
      clearInterval(timer);
      resolveOutcome({ answer, closedAfterMs: Date.now() - opened, sent });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
  });

/** `npm start` with the short limits, in its own process group. */
const startStack = async (port: number) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/local/src/main.ts'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...LIMITS, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await eventually(async () => (output.includes('Flash figures running') ? true : undefined), 60_000).catch(
    (error: unknown) => {
      throw new Error(`stack did not start: ${output}`, { cause: error });
    },
  );
  return child;
};

/** SIGTERM to the group (the stack stops DynamoDB Local on it), then waits for the exit. */
const stopStack = async (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const forced = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }, 10_000);
  await exited;
  clearTimeout(forced);
};

describe('HTTP limits of the local stack (a real npm start)', () => {
  let child: ChildProcess | undefined;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    child = await startStack(port);
  }, 90_000);
  afterAll(async () => {
    if (child) await stopStack(child);
  }, 30_000);

  it('cuts a body sent one byte at a time once the request timeout passes, with 408', async () => {
    const body = '{"events":[]}'.padEnd(100, ' ');
    const head =
      'POST /webhooks/generic HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
      `content-length: ${body.length}\r\n\r\n`;
    // At this pace the body would take 30 s; the stack must not wait for it.
    const outcome = await slowClient(port, head, body, 300);
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(outcome.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(outcome.sent).toBeLessThan(body.length);
  });

  it('cuts headers sent one byte at a time once the headers timeout passes', async () => {
    const head = 'GET /v1/metrics HTTP/1.1\r\n';
    const outcome = await slowClient(port, head, 'Host: 127.0.0.1\r\nx-slow: '.padEnd(200, 'a'), 200);
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(outcome.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again when they are gone', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < Number(LIMITS.HTTP_MAX_CONNECTIONS); i++) {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        await new Promise((resolveConnect) => socket.once('connect', resolveConnect));
        held.push(socket);
      }
      // Let the server accept the held ones before the next arrives.
      await new Promise((r) => setTimeout(r, 200));
      const extra = await slowClient(port, 'GET /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '', 1000);
      expect(extra.answer).toBe('');
      expect(extra.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS);
    } finally {
      for (const socket of held) socket.destroy();
    }
    await eventually(async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/v1/metrics?period=2026-11`).catch(() => undefined);
      return answer?.status === 200 ? true : undefined;
    }, 5000);
  });
});
