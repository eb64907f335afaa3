import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { settingsFromContext } from './settings.js';
import { DataStack } from './stacks/data-stack.js';
import { ServiceStack } from './stacks/service-stack.js';

/** Adds the two stacks, configured from the app's context, and the cdk-nag checks to `app`. */
export const addFlashFigures = (app: App) => {
  const { stackPrefix, env, ...settings } = settingsFromContext(app.node);
  const dataStack = new DataStack(app, `${stackPrefix}-Data`, {
    env,
    description: 'flash figures: table, event bus and archive, secrets (stateful)',
    ...settings,
  });
  const serviceStack = new ServiceStack(app, `${stackPrefix}-Service`, {
    env,
    description: 'flash figures: functions, rules, queues, HTTP API, alerts, alarms (stateless)',
    ...settings,
    data: dataStack.data,
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { dataStack, serviceStack };
};
