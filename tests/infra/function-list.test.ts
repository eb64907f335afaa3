import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../packages/cdk/build/lambdas.js';
import { functionNames } from '../../packages/cdk/src/functions.js';

describe('functionNames', () => {
  it('lists every entry file of functions/, so the package build bundles each and ships none stale', () => {
    const entries = readdirSync(join(repoRoot, 'functions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -'.ts'.length));
    expect([...functionNames].sort()).toEqual(entries.sort());
  });
});
