import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@flash/core';
import { importFile } from '@flash/history';
import { afterAll, describe, expect, it } from 'vitest';
import { writeImportFile } from '../../../bench/import.js';

const dir = mkdtempSync(join(tmpdir(), 'flash-bench-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench import file', () => {
  it('holds only valid generic events of every kind, the same for the same seed', async () => {
    const [a, b] = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')];
    await writeImportFile(a, 2_000, 7);
    await writeImportFile(b, 2_000, 7);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const events: CanonicalEvent[] = [];
    const summary = await importFile({
      file: a,
      baseCurrency: 'EUR',
      sink: { deliver: async (batch) => void events.push(...batch) },
    });
    expect(summary).toMatchObject({ lines: 2_000, imported: 2_000, rejected: 0 });
    expect(new Set(events.map((e) => e.entity))).toEqual(
      new Set(['customer', 'project', 'invoice', 'cost', 'deal', 'survey_response']),
    );
  });
});
