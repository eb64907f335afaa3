import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { repoRoot } from '../../infra/constructs/metrics-function.js';
import { addFlashFigures } from '../../infra/pipeline-app.js';

const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/**
 * The app exactly as `cdk synth` builds it (cdk.json context plus `context`), bundled with local esbuild.
 * `bundle: false` skips bundling (as `cdk synth --exclusively` does for other stacks): the templates are the
 * same but for asset hashes, which suits tests about settings and findings and saves seconds per function.
 */
export const synthesizeApp = (context: Record<string, unknown> = {}, { bundle = true } = {}) => {
  const app = new App({
    context: { ...cdkJsonContext(), ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stacks = addFlashFigures(app);
  return {
    app,
    ...stacks,
    data: Template.fromStack(stacks.dataStack),
    service: Template.fromStack(stacks.serviceStack),
  };
};

type Resource = { Type: string; Properties: Record<string, unknown> };
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The logical id of the function whose Powertools service name is `name`. */
export const functionIdOf = (template: Template, name: string): string => {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, r]) =>
      ((r as Resource).Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === name,
  );
  if (found.length !== 1) throw new Error(`expected one function "${name}", found ${found.length}`);
  return (found[0] as [string, unknown])[0];
};

/** The function's properties, by Powertools service name. */
export const functionOf = (template: Template, name: string) =>
  (template.toJSON().Resources[functionIdOf(template, name)] as Resource).Properties as {
    Environment: { Variables: Record<string, unknown> };
    Role: { 'Fn::GetAtt': [string, string] };
    Timeout?: number;
    MemorySize?: number;
  };

export const envOf = (template: Template, name: string): Record<string, unknown> =>
  functionOf(template, name).Environment.Variables;

/** Every IAM statement on the role of the function `name`. */
export const statementsOf = (template: Template, name: string): Statement[] => {
  const roleId = functionOf(template, name).Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify((p as Resource).Properties.Roles).includes(`"${roleId}"`),
  ) as Resource[];
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};

export const actionsOf = (template: Template, name: string): string[] =>
  statementsOf(template, name).flatMap((s) => [s.Action].flat());

/** Actions granted on exactly `resource`, sorted. */
export const actionsOn = (template: Template, name: string, resource: unknown): string[] =>
  statementsOf(template, name)
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(resource))
    .flatMap((s) => [s.Action].flat())
    .sort();
