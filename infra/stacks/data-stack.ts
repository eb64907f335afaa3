import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MetricsData, type MetricsDataProps } from '../constructs/metrics-data.js';

/** The stateful stack: table, bus with archive, secrets. Termination-protected; its resources are retained. */
export class DataStack extends Stack {
  readonly data: MetricsData;

  constructor(scope: Construct, id: string, props: StackProps & MetricsDataProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.data = new MetricsData(this, 'Data', props);
  }
}
