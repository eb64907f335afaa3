import { App } from 'aws-cdk-lib';
import { addFlashFigures } from './pipeline-app.js';

const app = new App();
addFlashFigures(app);
app.synth();
