/**
 * The package build (`npm run build:cdk`, and `npm pack` through prepack): every function's bundle into
 * `lambda/<name>/`, the construct into `dist/`.
 */
import { buildConstruct } from './construct.js';
import { buildLambdas } from './lambdas.js';

await Promise.all([buildLambdas(), buildConstruct()]);
