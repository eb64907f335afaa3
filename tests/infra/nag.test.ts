import type { App, PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from './support.js';

/**
 * cdk-nag 3 runs as a CDK validation plugin (Validations.of(app).addPlugins) rather than as an Aspect, and
 * acknowledgements are Validations.of(construct).acknowledge(); a finding that is not acknowledged fails
 * `cdk synth`. Here the packs run over the synthesized app directly, so a failure names every finding.
 */
describe('cdk-nag', () => {
  let app: App;
  beforeAll(() => {
    ({ app } = synthesizeApp({}));
  });
  const describeViolation = (v: PolicyViolation) =>
    `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`;

  it.each([
    ['AwsSolutions', new AwsSolutionsChecks()],
    ['Serverless', new ServerlessChecks()],
  ])('leaves no unacknowledged %s error or warning', (_pack, checks) => {
    const report = checks.validateScope(app);
    expect(report.violations.map(describeViolation)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
