import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_CANONICAL_EVENTS_PER_REQUEST } from '@flash/app';
import type { CanonicalEvent } from '@flash/core';
import {
  detectFormat,
  type EventSink,
  ImportDeliveryError,
  type ImportOptions,
  ImportRefusedError,
  importFile,
  type RejectedLine,
} from '@flash/history';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'flash-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (name: string, text: string): string => {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, text);
  return path;
};

/** An EventSink that keeps what it is given, request by request. */
const recordingSink = () => {
  const batches: CanonicalEvent[][] = [];
  const sink: EventSink = {
    async deliver(events) {
      batches.push([...events]);
    },
  };
  return { sink, batches, events: () => batches.flat() };
};

const run = async (path: string, options: Partial<ImportOptions> = {}) => {
  const { sink, events, batches } = recordingSink();
  const rejects: RejectedLine[] = [];
  const outcome = await importFile({
    file: path,
    sink,
    baseCurrency: 'EUR',
    onReject: (r) => rejects.push(r),
    now: () => new Date('2026-11-30T12:00:00Z'),
    ...options,
  }).catch((error: unknown) => error);
  return { outcome, events: events(), batches, rejects };
};

const ndjson = (...lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

const customer = { type: 'customer', id: 'C1', version: 3, name: 'Acme', internal: false, segment: 'Gold' };
const invoice = {
  type: 'invoice',
  id: 'I1',
  version: 2,
  customerId: 'C1',
  number: '2026-001',
  status: 'sent',
  invoiceDate: '2026-11-03',
  total: 1250.5,
};
const response = { type: 'survey_response', id: 'R1', version: 1, score: 4, submittedAt: '2026-11-05T08:00:00Z' };

describe('importFile: NDJSON', () => {
  it('delivers each line as the generic source maps it', async () => {
    const { outcome, events } = await run(file('good.ndjson', `${ndjson(customer, invoice, response)}\n`));
    expect(outcome).toMatchObject({ format: 'ndjson', lines: 3, imported: 3, rejected: 0 });
    expect(events).toEqual([
      expect.objectContaining({ entity: 'customer', id: 'C1', version: [3], source: 'generic' }),
      expect.objectContaining({
        entity: 'invoice',
        id: 'I1',
        version: [2],
        // 1250.50 in the base currency, in cents; sent with a number is issued.
        data: expect.objectContaining({ status: 'issued', total: 125050, currency: 'EUR', customerId: 'C1' }),
      }),
      expect.objectContaining({ entity: 'survey_response', occurredAt: '2026-11-05T08:00:00Z' }),
    ]);
    expect(events[0]?.deliveryId).toBe('import-2026-11-30T12:00:00.000Z:1');
  });

  it('by default checks the whole file, names every bad line by number and reason, and delivers nothing', async () => {
    const path = file(
      'bad.ndjson',
      ndjson(
        customer,
        '{"type": "invoice", "id": ',
        '',
        { ...invoice, total: '1250' },
        { ...invoice, type: 'invioce' },
        [customer],
        response,
        { ...response, score: 11 },
        { ...customer, id: '' },
      ),
    );
    const { outcome, events, rejects } = await run(path);
    expect(outcome).toBeInstanceOf(ImportRefusedError);
    expect((outcome as Error).message).toBe(
      '6 of 8 lines are invalid; nothing was imported (correct them, or import the valid lines with --skip-invalid)',
    );
    expect(events).toEqual([]);
    expect(rejects.map(({ line, reason }) => [line, reason])).toEqual([
      [2, expect.stringMatching(/^not valid JSON/)],
      [4, expect.stringMatching(/^total: .*expected number, received string/)],
      [
        5,
        'type: unknown type "invioce"; expected one of customer, project, invoice, cost, deal, survey_response, activity, spend',
      ],
      [6, 'expected a JSON object (one generic event), got an array'],
      [8, expect.stringMatching(/^score: .*<=10/)],
      [9, expect.stringMatching(/^id: /)],
    ]);
    expect(rejects[0]?.text).toBe('{"type": "invoice", "id": ');
  });

  it('with skipInvalid delivers the valid lines and writes the rejected ones, with reasons, to the rejects file', async () => {
    const path = file('mixed.ndjson', ndjson(customer, { ...invoice, total: 'x' }, response, 'nope'));
    const { outcome, events } = await run(path, { skipInvalid: true });
    expect(outcome).toMatchObject({ lines: 4, imported: 2, rejected: 2, rejectsFile: `${path}.rejects.ndjson` });
    expect(events.map((e) => e.id)).toEqual(['C1', 'R1']);
    const written = readFileSync(`${path}.rejects.ndjson`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written).toEqual([
      { line: 2, reason: expect.stringMatching(/^total: /), text: JSON.stringify({ ...invoice, total: 'x' }) },
      { line: 4, reason: expect.stringMatching(/^not valid JSON/), text: 'nope' },
    ]);
    const elsewhere = join(dir, 'rejects-here.ndjson');
    expect((await run(path, { skipInvalid: true, rejectsFile: elsewhere })).outcome).toMatchObject({
      rejectsFile: elsewhere,
    });
    expect(readFileSync(elsewhere, 'utf8').split('\n')).toHaveLength(3);
  });

  it('refuses what the bus gate refuses, by line (an amount its currency cannot hold)', async () => {
    const { rejects } = await run(
      file('gate.ndjson', ndjson({ ...invoice, total: 1.005 }, { ...invoice, currency: 'JPY', total: 1.5 })),
    );
    expect(rejects.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [1, 'total'],
      [2, 'total'],
    ]);
  });

  it('says which events were not delivered when the pipeline fails, and what was delivered before', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => ({ ...response, id: `R${i}` }));
    let calls = 0;
    const sink: EventSink = {
      async deliver() {
        if (++calls === 2) throw new Error('503 busy');
      },
    };
    const outcome = await importFile({ file: file('fail.ndjson', ndjson(...lines)), sink, baseCurrency: 'EUR' }).catch(
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(ImportDeliveryError);
    expect(outcome).toMatchObject({
      imported: 1000,
      message: 'lines 1001-2000 were not delivered (1000 events before them were): 503 busy',
    });
  });
});

describe('importFile: CSV', () => {
  it('converts cells to the kinds of the generic fields: numbers, booleans, empty cells as absent', async () => {
    const path = file(
      'invoices.csv',
      '\uFEFFid,version,customerId,number,status,invoiceDate,total,currency,projectId,deleted\r\n' +
        'I1,2,C1,2026-001,sent,2026-11-03,1250.50,EUR,,\r\n' +
        'I2,1,"C,2","2026-002",sent,2026-11-04,99,,P1,FALSE\r\n' +
        'I3,4,C1,,draft,,0,usd,,true\r\n',
    );
    const { outcome, events } = await run(path, { type: 'invoice' });
    expect(outcome).toMatchObject({ format: 'csv', lines: 3, imported: 3, rejected: 0 });
    expect(
      events.map((e) => [
        e.id,
        e.mode === 'snapshot' && e.version,
        e.mode === 'snapshot' && e.deleted,
        e.mode === 'snapshot' && e.data,
      ]),
    ).toEqual([
      [
        'I1',
        [2],
        false,
        {
          customerId: 'C1',
          projectId: null,
          number: '2026-001',
          status: 'issued',
          invoiceDate: '2026-11-03',
          total: 125050,
          currency: 'EUR',
        },
      ],
      [
        'I2',
        [1],
        false,
        {
          customerId: 'C,2',
          projectId: 'P1',
          number: '2026-002',
          status: 'issued',
          invoiceDate: '2026-11-04',
          total: 9900,
          currency: 'EUR',
        },
      ],
      [
        'I3',
        [4],
        true,
        {
          customerId: 'C1',
          projectId: null,
          number: null,
          status: 'draft',
          invoiceDate: null,
          total: 0,
          currency: 'USD',
        },
      ],
    ]);
  });

  it('takes the type from a type column, and a quoted comment with commas, quotes and line breaks', async () => {
    const path = file(
      'answers.csv',
      'type,id,version,score,submittedAt,comment,customerId\n' +
        'survey_response,R1,1,3,2026-11-05T08:00:00Z,"Slow, and ""support"" never\nanswered",C1\n' +
        'survey_response,R2,1,10,2026-11-06T08:00:00Z,,\n',
    );
    const { events } = await run(path);
    expect(events).toMatchObject([
      {
        entity: 'survey_response',
        id: 'R1',
        data: { score: 3, comment: 'Slow, and "support" never\nanswered', customerId: 'C1' },
      },
      { entity: 'survey_response', id: 'R2', data: { score: 10, comment: null, customerId: null } },
    ]);
  });

  it('refuses a header with unknown columns, naming them, before reading any record', async () => {
    const { outcome, events } = await run(file('typo.csv', 'id,version,totl,status,colour\nI1,1,5,sent,red\n'), {
      type: 'invoice',
    });
    expect(outcome).toBeInstanceOf(ImportRefusedError);
    expect((outcome as Error).message).toMatch(
      /^line 1 \(the header\): the header names columns totl, colour that invoice does not have/,
    );
    expect(events).toEqual([]);
    const noType = await run(file('notype.csv', 'id,version,status\nP1,1,open\n'));
    expect((noType.outcome as Error).message).toBe(
      'line 1 (the header): the header has no type column: name the entity type with --type (customer, project, invoice, cost, deal, survey_response, activity, spend)',
    );
    const wrongType = await run(file('p.csv', 'id,version,status\nP1,1,open\n'), { type: 'projects' });
    expect((wrongType.outcome as Error).message).toMatch(/^--type projects: expected one of customer, /);
  });

  it('names each bad record by its line: wrong count of fields, a number or boolean that is not one, a field the type lacks, quoting', async () => {
    const path = file(
      'bad.csv',
      'type,id,version,status,amount,date,projectId,internal\n' +
        'cost,K1,1,,"12,50",2026-11-04,P1,\n' +
        'project,P1,1,open,,,,yes\n' +
        'cost,K2,1,,300\n' +
        'cost,K3,1,open,300,2026-11-04,P1,\n' +
        'project,P2,"1"x,open,,,,\n' +
        'cost,K4,1,,300,2026-11-04,P1,\n' +
        'cost,K5,,,300,2026-11-04,P1,\n',
    );
    const { outcome, rejects, events } = await run(path);
    expect(outcome).toBeInstanceOf(ImportRefusedError);
    expect(events).toEqual([]);
    expect(rejects.map(({ line, reason }) => [line, reason])).toEqual([
      [2, 'amount: expected a number, got "12,50"'],
      [3, 'internal: expected true or false, got "yes"'],
      [4, '5 fields where the header has 8'],
      [5, 'status: cost has no such field (leave the cell empty)'],
      [6, 'text after the closing quote of a field'],
      [8, expect.stringMatching(/^version: /)],
    ]);
  });
});

describe('importFile: streaming', () => {
  it('detects the format by extension, else by the first character', async () => {
    expect(await detectFormat(file('a.jsonl', 'x'))).toBe('ndjson');
    expect(await detectFormat(file('a.CSV', '{'))).toBe('csv');
    expect(await detectFormat(file('export.txt', '\uFEFF  {"type":"customer"}'))).toBe('ndjson');
    expect(await detectFormat(file('export.dat', 'type,id\n'))).toBe('csv');
  });

  it('imports 100,000 lines in requests of at most 1,000 events, delivering before the file is read, with bounded memory', async () => {
    const lines = 100_000;
    const path = join(dir, 'large.ndjson');
    const line = (i: number) =>
      JSON.stringify({
        ...response,
        id: `R${i}`,
        comment: `answer number ${i} `.padEnd(150, '.'),
        customerId: `C${i % 97}`,
      });
    writeFileSync(path, `${Array.from({ length: lines }, (_, i) => line(i)).join('\n')}\n`);
    const fileBytes = statSync(path).size;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let batches = 0;
    let largest = 0;
    let delivered = 0;
    let bytesAtFirstDelivery: number | undefined;
    // One pass (skipInvalid); the default's check pass reads the file the same way and delivers nothing.
    const summary = await importFile({
      file: path,
      baseCurrency: 'EUR',
      skipInvalid: true,
      rejectsFile: join(dir, 'large.rejects.ndjson'),
      sink: {
        async deliver(events) {
          batches++;
          largest = Math.max(largest, events.length);
          delivered += events.length;
          if (batches % 10 === 0) {
            gc();
            peak = Math.max(peak, process.memoryUsage().heapUsed);
          }
        },
      },
      onProgress: (p) => {
        if (p.phase === 'import' && p.imported > 0) bytesAtFirstDelivery ??= p.bytesRead;
      },
    });
    expect(summary).toMatchObject({ lines, imported: lines, rejected: 0 });
    expect(delivered).toBe(lines);
    expect(largest).toBe(MAX_CANONICAL_EVENTS_PER_REQUEST);
    expect(batches).toBe(lines / MAX_CANONICAL_EVENTS_PER_REQUEST);
    // Events went out while most of the file was still unread (progress comes every 10,000 lines).
    expect(bytesAtFirstDelivery).toBeLessThan(fileBytes / 2);
    // Holding the file would take at least its size (twice, as UTF-16 strings); one request's worth is far less.
    expect(fileBytes).toBeGreaterThan(15_000_000);
    expect(peak - before).toBeLessThan(fileBytes / 4);
  }, 120_000);
});
