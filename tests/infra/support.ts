import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addFlashFigures } from '../../infra/pipeline-app.js';
import { repoRoot } from '../../packages/cdk/build/lambdas.js';

const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/** Where the tests deploy: an explicit account and region, as the app requires. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

/**
 * The app exactly as `cdk synth` builds it (cdk.json context, TEST_ENV, then `context`), with the prebuilt
 * Lambda bundles of packages/cdk (the tests' global setup builds them).
 */
export const synthesizeApp = (context: Record<string, unknown> = {}, { outdir }: { outdir?: string } = {}) => {
  const app = new App({ context: { ...cdkJsonContext(), ...TEST_ENV, ...context }, ...(outdir ? { outdir } : {}) });
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
