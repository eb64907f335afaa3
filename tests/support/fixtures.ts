import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared` beside the checkout (CI clones it there too); SHARED_DIR overrides. */
export const sharedDir = process.env.SHARED_DIR ?? resolve(repoRoot, '../shared');
export const webhookFixturesDir = join(sharedDir, 'fixtures/webhooks');

if (!existsSync(webhookFixturesDir)) {
  throw new Error(`webhook fixtures not found at ${webhookFixturesDir}; set SHARED_DIR to the shared/ folder`);
}

/** A fixture file's text as stored. */
export const fixtureText = (relative: string): string => readFileSync(join(webhookFixturesDir, relative), 'utf8');

/** The body the signature vectors sign: the fixture re-serialised compactly (fixtures README). */
export const compactFixture = (relative: string): string => JSON.stringify(JSON.parse(fixtureText(relative)));

export interface SignatureVector {
  name: string;
  provider: string;
  fixture?: string;
  inputs: Record<string, string>;
  headers: Record<string, string>;
}

export const signatureVectors = (): SignatureVector[] =>
  (JSON.parse(fixtureText('signature-vectors.json')) as { vectors: SignatureVector[] }).vectors;
