/**
 * @flash-figures/cdk: the flash-figures pipeline as one CDK construct, with its Lambda code prebuilt in the
 * package (`lambda/<name>/index.mjs`), so a CDK app needs nothing but aws-cdk-lib and constructs.
 */
export { type FunctionName, functionNames } from './functions.js';
export { MetricsData, type MetricsDataProps, type MetricsTableProps, webhookSecretKeys } from './metrics-data.js';
export { type FunctionOverrides, supportedRuntimes } from './metrics-function.js';
export {
  type CustomDomainProps,
  type HubSpotSettings,
  MetricsPipeline,
  type MetricsPipelineProps,
  type ThrottleSettings,
} from './metrics-pipeline.js';
export { ALARMS_UNHEARD_WARNING } from './operations.js';
