import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../support/http.js';

/** The current month in UTC, the stack's METRICS_TIMEZONE here. */
const localMonthOf = (at: Date) => at.toISOString().slice(0, 7);

const TOKEN = 'import-test-token';
const CLI = 'packages/history/src/import-cli.ts';

interface Metrics {
  nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
  billing: {
    thisMonth: number;
    lastMonth: number;
    changePct: number | null;
    otherCurrencies?: Record<string, unknown>;
  };
  margin: { year: number; billing: number; cost: number; margin: number; marginPct: number | null };
  activeCustomers: number | null;
  prospectsInPipeline: number | null;
  pipeline: Record<string, unknown>;
}

/** `npm run import` as a user runs it: a child process against the stack, with the token in API_TOKEN. */
const runImport = (args: string[], token = TOKEN) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, API_TOKEN: token }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

const ndjson = (events: unknown[]) => `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

/**
 * March 2025 of a small company. The figures the test expects are worked out by hand from contract section 3
 * beside the events that make them.
 */
const MARCH_2025 = [
  { type: 'customer', id: 'CA', version: 1, name: 'Acme', internal: false, segment: 'Gold' },
  { type: 'customer', id: 'CINT', version: 1, name: 'Ourselves', internal: true },
  { type: 'project', id: 'PA', version: 1, customerId: 'CA', status: 'open', internal: false },
  { type: 'project', id: 'PINT', version: 1, customerId: 'CINT', status: 'open', internal: false },
  // Billing: I1 in March (1,000), I2 in February (800); I3 is a draft, I4 was voided (its void arrives first,
  // version 2, so the older "sent" changes nothing); I5 is in USD, reported beside the headline.
  {
    type: 'invoice',
    id: 'I1',
    version: 1,
    customerId: 'CA',
    number: '25-1',
    status: 'sent',
    invoiceDate: '2025-03-10',
    total: 1000,
  },
  {
    type: 'invoice',
    id: 'I2',
    version: 1,
    customerId: 'CA',
    number: '25-2',
    status: 'sent',
    invoiceDate: '2025-02-20',
    total: 800,
    currency: 'EUR',
  },
  { type: 'invoice', id: 'I3', version: 1, customerId: 'CA', status: 'draft', invoiceDate: '2025-03-11', total: 500 },
  {
    type: 'invoice',
    id: 'I4',
    version: 2,
    customerId: 'CA',
    number: '25-4',
    status: 'void',
    invoiceDate: '2025-03-12',
    total: 300,
  },
  {
    type: 'invoice',
    id: 'I4',
    version: 1,
    customerId: 'CA',
    number: '25-4',
    status: 'sent',
    invoiceDate: '2025-03-12',
    total: 300,
  },
  {
    type: 'invoice',
    id: 'I5',
    version: 1,
    customerId: 'CA',
    number: '25-5',
    status: 'sent',
    invoiceDate: '2025-03-15',
    total: 200,
    currency: 'USD',
  },
  // Costs: K1 on Acme's project counts; K2 is on a project of the internal customer and does not.
  { type: 'cost', id: 'K1', version: 1, projectId: 'PA', date: '2025-03-05', amount: 250 },
  { type: 'cost', id: 'K2', version: 1, projectId: 'PINT', date: '2025-03-06', amount: 400 },
  // Pipeline: D1 won on 2 March after 60 days, D2 created and lost in March, D3 created in March and open.
  {
    type: 'deal',
    id: 'D1',
    version: 3,
    customerId: 'CB',
    ownerId: 'U1',
    status: 'won',
    amount: 10000,
    createdAt: '2025-01-01T00:00:00Z',
    closedAt: '2025-03-02T00:00:00Z',
  },
  {
    type: 'deal',
    id: 'D2',
    version: 2,
    customerId: 'CB',
    ownerId: 'U1',
    status: 'lost',
    amount: 5000,
    createdAt: '2025-03-03T00:00:00Z',
    closedAt: '2025-03-20T00:00:00Z',
  },
  {
    type: 'deal',
    id: 'D3',
    version: 1,
    customerId: 'CC',
    ownerId: 'U2',
    status: 'open',
    amount: 7000,
    createdAt: '2025-03-04T00:00:00Z',
  },
  // NPS: two promoters, two passives (R5 edited from 2 to 8), one detractor.
  { type: 'survey_response', id: 'R1', version: 1, customerId: 'CA', score: 10, submittedAt: '2025-03-05T08:00:00Z' },
  { type: 'survey_response', id: 'R2', version: 1, customerId: 'CA', score: 9, submittedAt: '2025-03-06T08:00:00Z' },
  { type: 'survey_response', id: 'R3', version: 1, score: 7, submittedAt: '2025-03-07T08:00:00Z' },
  { type: 'survey_response', id: 'R4', version: 1, score: 3, submittedAt: '2025-03-08T08:00:00Z', comment: 'Slow' },
  { type: 'survey_response', id: 'R5', version: 1, score: 2, submittedAt: '2025-03-09T08:00:00Z' },
  { type: 'survey_response', id: 'R5', version: 2, score: 8, submittedAt: '2025-03-09T08:00:00Z' },
];

describe('npm run import through the local stack', () => {
  let stack: LocalStack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flash-import-e2e-'));
    stack = await startLocalStack({ env: { API_TOKEN: TOKEN }, port: 0, logLevel: 'SILENT', readCacheMs: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const metrics = async (period: string) => {
    await stack.settled();
    const { status, body } = await getJson<Metrics>(`${stack.url}/v1/metrics?period=${period}`, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(status).toBe(200);
    const { nps, billing, margin, activeCustomers, prospectsInPipeline, pipeline } = body;
    return { nps, billing, margin, activeCustomers, prospectsInPipeline, pipeline };
  };
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('imports an NDJSON file into every figure; importing it again changes nothing', async () => {
    const path = file('march.ndjson', ndjson(MARCH_2025));
    const first = await runImport(['--target', stack.url, path]);
    expect(first.stderr).not.toMatch(/line \d+:/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /march\.ndjson \(ndjson\): 21 lines read, 21 imported, 0 rejected, [\d.]+ s, [\d,]+ events\/s/,
    );
    const march = await metrics('2025-03');
    expect(march).toMatchObject({
      // 100 * (2 - 1) / 5
      nps: { score: 20, promoters: 2, passives: 2, detractors: 1, responses: 5 },
      // 100 * (1000 - 800) / 800
      billing: {
        thisMonth: 1000,
        lastMonth: 800,
        changePct: 25,
        otherCurrencies: { USD: { thisMonth: 200, lastMonth: 0 } },
      },
      // 1,800 billed in 2025 (EUR) minus Acme's 250 of cost; 100 * 1550 / 1800 = 86.1
      margin: { year: 2025, billing: 1800, cost: 250, margin: 1550, marginPct: 86.1 },
      // "Now" figures of a past month are its month-end snapshot, which this stack never took.
      activeCustomers: null,
      prospectsInPipeline: null,
      pipeline: {
        created: 2,
        won: 1,
        lost: 1,
        wonValue: 10000,
        openCount: null,
        openValue: null,
        hitRate: 0.5,
        avgDealSize: 10000,
        leadTimeDays: 60,
      },
    });

    // As of now (the current month, live): Acme (open project) and CC (open deal) are active; CINT is
    // internal, CB has no open deal or project. CC is a prospect: an open deal, no invoice, no won deal, no project.
    const now = await metrics(localMonthOf(new Date()));
    expect(now).toMatchObject({
      activeCustomers: 2,
      prospectsInPipeline: 1,
      pipeline: { openCount: 1, openValue: 7000 },
    });

    const again = await runImport(['--target', stack.url, path]);
    expect(again.code).toBe(0);
    // Equal to the last field, the times each figure last changed included.
    expect(await metrics('2025-03')).toEqual(march);
    expect(await metrics('2025-02')).toMatchObject({ billing: { thisMonth: 800 } });
  }, 120_000);

  it('imports CSV files, with --type or a type column, with quoted and empty cells', async () => {
    // No number on I-C3: a sent invoice without a number is not issued. I-C4 is in May.
    const invoices = file(
      'invoices.csv',
      '\uFEFFid,version,customerId,number,status,invoiceDate,total,currency\r\n' +
        'I-C1,1,CZ,2024-101,sent,2024-06-10,1234.56,\r\n' +
        'I-C2,1,CZ,"2024-102",sent,2024-06-30,"765.44",EUR\r\n' +
        'I-C3,1,CZ,,sent,2024-06-12,999,\r\n' +
        'I-C4,3,"CZ",2024-104,sent,2024-05-31,100,\r\n',
    );
    const costs = file(
      'costs.csv',
      'type,id,version,projectId,date,amount,deleted\n' +
        'cost,K-C1,1,,2024-06-01,500,\n' +
        'cost,K-C2,1,,2024-07-01,100,true\n',
    );
    const byType = await runImport(['--target', stack.url, '--type', 'invoice', invoices]);
    expect(byType.code).toBe(0);
    expect(byType.stdout).toMatch(/4 lines read, 4 imported, 0 rejected/);
    expect((await runImport(['--target', stack.url, costs])).code).toBe(0);
    expect(await metrics('2024-06')).toMatchObject({
      // 1234.56 + 765.44; last month 100; 100 * (2000 - 100) / 100
      billing: { thisMonth: 2000, lastMonth: 100, changePct: 1900 },
      // 2,100 billed in 2024, 500 of cost without a project (the deleted one counts nothing); 100 * 1600 / 2100
      margin: { year: 2024, billing: 2100, cost: 500, margin: 1600, marginPct: 76.2 },
    });
  }, 120_000);

  it('imports nothing from a file with bad lines, naming every one; --skip-invalid imports the rest and writes the rejects', async () => {
    const lines = [
      JSON.stringify({ type: 'survey_response', id: 'S1', version: 1, score: 9, submittedAt: '2023-04-02T09:00:00Z' }),
      JSON.stringify({ type: 'survey_response', id: 'S2', version: 1, score: 12, submittedAt: '2023-04-02T09:00:00Z' }),
      JSON.stringify({ type: 'survey_response', id: 'S3', version: 1, score: 1, submittedAt: '2023-04-03T09:00:00Z' }),
      '{"type": "survey_response", "id": "S4"',
      JSON.stringify({ type: 'survey_respons', id: 'S5', version: 1, score: 5, submittedAt: '2023-04-03T09:00:00Z' }),
    ];
    const path = file('april.ndjson', `${lines.join('\n')}\n`);
    const refused = await runImport(['--target', stack.url, path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^line 2: score: /m);
    expect(refused.stderr).toMatch(/^line 4: not valid JSON/m);
    expect(refused.stderr).toMatch(/^line 5: type: unknown type "survey_respons"/m);
    expect(refused.stderr).toMatch(/import refused: 3 of 5 lines are invalid; nothing was imported/);
    expect((await metrics('2023-04')).nps.responses).toBe(0);
    expect(existsSync(`${path}.rejects.ndjson`)).toBe(false);

    const skipped = await runImport(['--target', stack.url, '--skip-invalid', path]);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toMatch(/5 lines read, 2 imported, 3 rejected/);
    expect(skipped.stdout).toContain(`rejected lines, with their reasons: ${path}.rejects.ndjson`);
    const rejects = readFileSync(`${path}.rejects.ndjson`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; reason: string; text: string });
    expect(rejects.map((r) => [r.line, r.text])).toEqual([
      [2, lines[1]],
      [4, lines[3]],
      [5, lines[4]],
    ]);
    // S1 promoter and S3 detractor: 100 * (1 - 1) / 2
    expect((await metrics('2023-04')).nps).toMatchObject({
      score: 0,
      promoters: 1,
      passives: 0,
      detractors: 1,
      responses: 2,
    });
  }, 120_000);

  it('fails with the reason, and a non-zero exit, on a wrong token or a bad header', async () => {
    const path = file('one.ndjson', ndjson([MARCH_2025[0]]));
    const wrongToken = await runImport(['--target', stack.url, path], 'wrong');
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/answered 401.*set API_TOKEN/);
    const header = await runImport(['--target', stack.url, file('bad.csv', 'type,id,versoin\ncustomer,C9,1\n')]);
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(
      /import refused: line 1 \(the header\): the header names a column versoin that no generic type has/,
    );
    const usage = await runImport(['--target', stack.url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/FILE is missing/);
  }, 120_000);
});
