import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { repoRoot } from '../../infra/constructs/metrics-function.js';
import { addFlashFigures } from '../../infra/pipeline-app.js';

const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/** The app exactly as `cdk synth` builds it (cdk.json context plus `context`), bundled with local esbuild. */
export const synthesizeApp = (context: Record<string, unknown> = {}) => {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const stacks = addFlashFigures(app);
  return {
    app,
    ...stacks,
    data: Template.fromStack(stacks.dataStack),
    service: Template.fromStack(stacks.serviceStack),
  };
};
