import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { MetricsData } from '../constructs/metrics-data.js';
import { MetricsPipeline, type MetricsPipelineProps } from '../constructs/metrics-pipeline.js';

/** The stateless stack: functions, rules, queues, API, alerts, alarms; safe to destroy and redeploy. */
export class ServiceStack extends Stack {
  readonly pipeline: MetricsPipeline;

  constructor(scope: Construct, id: string, props: StackProps & MetricsPipelineProps & { data: MetricsData }) {
    super(scope, id, props);
    this.pipeline = new MetricsPipeline(this, 'Pipeline', props);
  }
}
