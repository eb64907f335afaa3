import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { packageRoot } from '../src/functions.js';

const srcDir = path.join(packageRoot, 'src');
export const distDir: string = path.join(packageRoot, 'dist');

/**
 * The construct as the package ships it: `dist/index.js`, one CommonJS file (dist/package.json says so, for
 * Node and for TypeScript reading the declarations beside it) (what CDK apps in TypeScript,
 * JavaScript or ESM can all load) with the @flash/* workspace code it uses inlined, and aws-cdk-lib and
 * constructs left to the consumer (peer dependencies, so there is one copy of each in their app).
 */
const bundleConstruct = async (): Promise<void> => {
  await build({
    entryPoints: [path.join(srcDir, 'index.ts')],
    outfile: path.join(distDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    // src/functions.ts finds the package root from import.meta.url, which CommonJS does not have.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'error',
  });
};

/**
 * `dist/*.d.ts`, one per source file, each from that file alone (TypeScript's transpileDeclaration): the
 * public types name only aws-cdk-lib, constructs and the package's own modules, never a workspace package.
 */
const emitDeclarations = (): void => {
  for (const file of readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(path.join(srcDir, file), 'utf8');
    const { outputText, diagnostics } = ts.transpileDeclaration(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, strict: true },
      reportDiagnostics: true,
    });
    if (diagnostics?.length)
      throw new Error(
        `${file}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`,
      );
    writeFileSync(path.join(distDir, file.replace(/\.ts$/, '.d.ts')), outputText);
  }
};

export const buildConstruct = async (): Promise<void> => {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  writeFileSync(path.join(distDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  await bundleConstruct();
  emitDeclarations();
};
