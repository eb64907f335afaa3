import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaDirOf } from '../../packages/cdk/src/functions.js';
import { functionNames } from '../../packages/cdk/src/index.js';
import { synthesizeApp } from './support.js';

const dirs = [mkdtempSync(join(tmpdir(), 'flash-synth-a-')), mkdtempSync(join(tmpdir(), 'deeper-')), ''];
dirs[2] = join(dirs[1] as string, 'nested', 'cdk.out');

/** Every template and asset manifest of a cloud assembly, by file name. */
const assemblyOf = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.template.json') || f.endsWith('.assets.json'))
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );

describe('synthesis', () => {
  let first: Record<string, string>;
  let second: Record<string, string>;
  beforeAll(() => {
    first = assemblyOf(synthesizeApp({}, { outdir: dirs[0] }).app.synth().directory);
    second = assemblyOf(synthesizeApp({}, { outdir: dirs[2] }).app.synth().directory);
  }, 180_000);
  afterAll(() => {
    for (const dir of dirs.slice(0, 2)) rmSync(dir as string, { recursive: true, force: true });
  });

  it('gives identical templates and asset hashes in two output folders', () => {
    expect(Object.keys(first).sort()).toEqual([
      'FlashFigures-Data.assets.json',
      'FlashFigures-Data.template.json',
      'FlashFigures-Service.assets.json',
      'FlashFigures-Service.template.json',
    ]);
    expect(second).toEqual(first);
    expect(first['FlashFigures-Service.template.json']).not.toContain(dirs[0]);
  });

  it('writes the explicit account and region, never a default, into the templates', () => {
    const service = first['FlashFigures-Service.template.json'] as string;
    expect(service).toContain(':eu-west-1:123456789012:');
    expect(service).not.toContain('us-east-1');
  });

  it('bundles source maps whose sources are relative and carry no contents, so no machine path reaches an asset', () => {
    for (const name of functionNames) {
      const map = JSON.parse(readFileSync(join(lambdaDirOf(name), 'index.mjs.map'), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent).toBeUndefined();
      expect(map.sources.filter((s) => s.startsWith('/') || /^[A-Za-z]:/.test(s))).toEqual([]);
      expect(map.sources).toContain(`../../../../functions/${name}.ts`);
    }
  });
});

describe('account and region', () => {
  it('refuses to synthesize without them, saying how to give them', () => {
    expect(() => synthesizeApp({ account: undefined, region: undefined })).toThrow(
      /-c account=123456789012 -c region=eu-west-1.*CDK_DEPLOY_ACCOUNT/,
    );
    expect(() => synthesizeApp({ region: undefined })).toThrow(/missing: region/);
  });

  it('takes them from CDK_DEPLOY_ACCOUNT and CDK_DEPLOY_REGION, not from the CLI defaults', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      CDK_DEPLOY_ACCOUNT: '210987654321',
      CDK_DEPLOY_REGION: 'ap-southeast-2',
      CDK_DEFAULT_ACCOUNT: '999999999999',
      CDK_DEFAULT_REGION: 'us-east-1',
    });
    try {
      const { dataStack } = synthesizeApp({ account: undefined, region: undefined });
      expect([dataStack.account, dataStack.region]).toEqual(['210987654321', 'ap-southeast-2']);
    } finally {
      process.env = saved;
    }
  });

  it('refuses a malformed account id', () => {
    expect(() => synthesizeApp({ account: '1234' })).toThrow(/12 digits/);
  });
});
