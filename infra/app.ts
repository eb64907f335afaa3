import { App } from 'aws-cdk-lib';
import { buildLambdas } from '../packages/cdk/build/lambdas.js';
import { addFlashFigures } from './pipeline-app.js';

// The repository's own app bundles the functions first, as the package build does, so a synth here never
// deploys stale code; files that did not change are left as they are.
await buildLambdas();
const app = new App();
addFlashFigures(app);
app.synth();
