import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MetricsData, type MetricsDataProps } from '../../packages/cdk/src/index.js';

/**
 * The stateful stack: table, bus with archive, secrets. Retained and termination-protected, unless its
 * removalPolicy is DESTROY (a development deployment).
 */
export class DataStack extends Stack {
  readonly data: MetricsData;

  constructor(scope: Construct, id: string, props: StackProps & MetricsDataProps) {
    super(scope, id, {
      terminationProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
      ...props,
    });
    this.data = new MetricsData(this, 'Data', props);
  }
}
