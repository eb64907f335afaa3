import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, PID_FILE } from '../../packages/local/src/dynamodb-local.js';
import { eventually, getJson, postWebhook, signHexSha256 } from '../support/http.js';

const SECRET = 'generic_crash_secret_91f3';
const WEBHOOKS = 40;
const EVENTS_PER_WEBHOOK = 10;

interface Metrics {
  nps: { responses: number; promoters: number; detractors: number };
  billing: { thisMonth: number };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start` as a real child process, in its own process group so that a SIGKILL of the group also ends
 * DynamoDB Local's Java process, as the whole machine losing the stack would.
 */
const startStack = async (port: number, dataDir: string) => {
  const child = spawn('npx', ['tsx', 'packages/local/src/main.ts'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      WEBHOOK_SECRET_GENERIC: SECRET,
      METRICS_TIMEZONE: 'UTC',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const started = Date.now();
  await eventually(async () => (output.includes('Flash figures running') ? true : undefined), 60_000).catch(
    (error: unknown) => {
      throw new Error(`stack did not start: ${output}`, { cause: error });
    },
  );
  return { child, startMs: Date.now() - started };
};

const killGroup = (child: ChildProcess) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
};

/** One generic webhook: survey responses (half promoters, half detractors) and issued invoices of 10.00. */
const webhook = (n: number): string =>
  JSON.stringify({
    events: Array.from({ length: EVENTS_PER_WEBHOOK }, (_, i) =>
      i % 2 === 0
        ? {
            type: 'survey_response',
            id: `R${n}-${i}`,
            version: 1,
            customerId: `C${n}`,
            score: i % 4 === 0 ? 10 : 3,
            submittedAt: '2026-11-05T08:00:00Z',
            comment: null,
            email: null,
          }
        : {
            type: 'invoice',
            id: `I${n}-${i}`,
            version: 1,
            customerId: `C${n}`,
            number: `2026-${n}-${i}`,
            status: 'sent',
            invoiceDate: '2026-11-03',
            total: 10,
            currency: 'EUR',
          },
    ),
  });

describe('crash recovery of the local stack', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flash-crash-'));
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) killGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('processes every event answered 202 exactly once after kill -9 and a restart on the same DATA_DIR', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await startStack(port, dataDir);
    started.push(first.child);
    const javaPid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8'));

    const bodies = Array.from({ length: WEBHOOKS }, (_, n) => webhook(n));
    const answers = await Promise.all(
      bodies.map((body) => postWebhook(url, 'generic', body, { 'x-signature': signHexSha256(SECRET, body) })),
    );
    killGroup(first.child);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    // Everything the first run started is gone, DynamoDB Local's Java process included.
    await eventually(async () => (alive(javaPid) ? undefined : true), 10_000);

    const restartedAt = Date.now();
    const second = await startStack(port, dataDir);
    started.push(second.child);
    const queues = (await getJson<{ queues: { name: string; depth: number }[] }>(`${url}/local/dead-letters`)).body;
    const pending = queues.queues.map((q) => `${q.name} ${q.depth}`).join(', ');
    const metrics = async () => (await getJson<Metrics>(`${url}/v1/metrics?period=2026-11`)).body;
    const total = WEBHOOKS * EVENTS_PER_WEBHOOK;
    // A batch commits in several transactions when it is large, so one figure can be complete while another
    // still has a piece to go: wait for both (a lost event times out here), then require them exact.
    const { ms } = await eventually(async () => {
      const { nps, billing } = await metrics();
      return nps.responses >= total / 2 && billing.thisMonth >= (total / 2) * 10 ? true : undefined;
    }, 60_000);
    const figures = await metrics();
    // Per webhook: responses at i = 0, 4, 8 are promoters, at i = 2, 6 detractors.
    expect(figures.nps).toMatchObject({ responses: total / 2, promoters: WEBHOOKS * 3, detractors: WEBHOOKS * 2 });
    expect(figures.billing.thisMonth).toBe((total / 2) * 10);
    // Detractor alerts went through the durable alert queue too: one per detractor, none twice.
    const { ms: alertMs } = await eventually(async () => {
      const { alerts } = (await getJson<{ alerts: { key: string }[] }>(`${url}/v1/alerts?limit=500`)).body;
      return alerts.length >= WEBHOOKS * 2 ? alerts : undefined;
    }, 30_000);
    const alerts = (await getJson<{ alerts: { key: string }[] }>(`${url}/v1/alerts?limit=500`)).body.alerts;
    expect(new Set(alerts.map((a) => a.key)).size).toBe(WEBHOOKS * 2);
    expect(alerts).toHaveLength(WEBHOOKS * 2);
    console.info(
      `crash recovery: restart ${second.startMs} ms with ${pending} messages pending, ` +
        `all ${total} events counted ${ms} ms after ready, ` +
        `${Date.now() - restartedAt} ms after the restart began; alerts complete ${alertMs} ms later`,
    );
    killGroup(second.child);
  }, 180_000);
});
