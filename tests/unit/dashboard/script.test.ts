import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dashboardPage, renderDashboard } from '@flash/dashboard';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELDS, IDS } from '../../../packages/dashboard/src/browser/dom.js';
import { ago, kpiTitle, level } from '../../../packages/dashboard/src/browser/format.js';
import {
  type BuiltScript,
  buildScript,
  ENTRY,
  GENERATED,
  generatedModule,
} from '../../../packages/dashboard/src/build.js';
import { script } from '../../../packages/dashboard/src/generated/script.js';
import { markup } from '../../../packages/dashboard/src/markup.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe("the dashboard's script", () => {
  let built: BuiltScript;
  beforeAll(async () => {
    built = await buildScript();
  });

  it('is committed as src/browser bundled: after editing src/browser, run `npm run build:dashboard`', async () => {
    const committed = (await readFile(GENERATED, 'utf8')).replace(/\r\n/g, '\n');
    expect(committed, 'packages/dashboard/src/generated/script.ts is stale: run `npm run build:dashboard`').toBe(
      generatedModule(built.js),
    );
    // The string the server inlines is the bundle, character for character (the template escaping holds).
    expect(script).toBe(built.js);
  });

  it('bundles the browser code only: the server types it reads are type-only imports', () => {
    expect(built.inputs).toContain(ENTRY);
    expect(built.inputs.every((input) => input.startsWith('src/browser/'))).toBe(true);
    expect(built.js).not.toMatch(/\brequire\(|\bimport\b|\bprocess\.|node:/);
    expect(built.js.startsWith("'use strict';\n(()=>{")).toBe(true);
  });

  it('is inlined as it is and allowed by its hash, with no other script', () => {
    for (const page of [dashboardPage, renderDashboard({ apiBase: 'https://api.example.com/' })]) {
      const inline = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      expect(inline).toEqual([script]);
      expect(page.html.match(/<script/g)).toHaveLength(1);
      const scriptSrc = page.contentSecurityPolicy.split('; ').find((d) => d.startsWith('script-src '));
      expect(scriptSrc).toBe(`script-src ${sha256(script)}`);
      expect(page.html).toContain(`script-src ${sha256(script)}`);
    }
  });

  it('finds every element it uses by id in the markup, with the tag it expects', () => {
    for (const [id, tag] of Object.entries(IDS)) {
      const found = [...markup.matchAll(new RegExp(`<([a-z0-9]+)\\b[^>]*\\sid="${id}"`, 'g'))].map((m) => m[1]);
      expect(found, `#${id}`).toEqual([tag]);
    }
  });

  it('fills exactly the data-field hooks of the markup', () => {
    const inMarkup = new Set([...markup.matchAll(/data-field="([^"]+)"/g)].map((m) => m[1]));
    expect([...inMarkup].sort()).toEqual([...FIELDS].sort());
  });

  it('says how long ago a figure changed, and how far a KPI score is from its target', () => {
    const now = Date.parse('2026-11-05T12:00:00Z');
    expect(ago('2026-11-05T11:59:58Z', now)).toBe('2 s ago');
    expect(ago('2026-11-05T11:45:00Z', now)).toBe('15 min ago');
    expect(ago('2026-11-05T09:00:00Z', now)).toBe('3 h ago');
    expect(ago('2026-11-05T12:00:03Z', now)).toBe('0 s ago');
    expect([null, 49.9, 50, 99.9, 100, 140].map((score) => level(score)[0])).toEqual([
      'none',
      'bad',
      'warn',
      'warn',
      'good',
      'good',
    ]);
    expect(kpiTitle({ template: 'hitRate', label: 'hitRate', months: 6 })).toBe('Hit rate, last 6 months');
    expect(kpiTitle({ template: 'openDealsPlanned', label: 'openDealsPlanned', days: 30 })).toBe(
      'Deals planned to close, next 30 days',
    );
    expect(kpiTitle({ template: 'nps', label: 'Happy customers', months: 3 })).toBe('Happy customers');
  });
});
