import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type FunctionName, lambdaCodeOf } from './functions.js';

/** What a deployment may change per function (MetricsPipelineProps.functionProps). */
export interface FunctionOverrides {
  /** @default 256 MB (aggregate 512, rebuild 1024) */
  readonly memorySize?: number;
  /** @default 10 seconds (aggregate 60 s, rebuild 15 minutes) */
  readonly timeout?: Duration;
  /** Concurrency reserved for (and capping) the function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** Runs the function in this VPC (it then needs a route to DynamoDB, EventBridge, SQS, Secrets Manager). */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default a security group of its own, all outbound allowed */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** @default the pipeline's logRetention */
  readonly logRetention?: logs.RetentionDays;
}

/** The Lambda runtimes the prebuilt bundles are built for (see build/lambdas.ts BUNDLE_TARGET), the default first. */
export const supportedRuntimes: readonly lambda.Runtime[] = [lambda.Runtime.NODEJS_24_X, lambda.Runtime.NODEJS_22_X];

export interface MetricsFunctionProps
  extends Omit<
      lambda.FunctionProps,
      'code' | 'handler' | 'runtime' | 'architecture' | 'logGroup' | 'logRetention' | keyof FunctionOverrides
    >,
    FunctionOverrides {
  /** Which prebuilt bundle (`functions/<name>.ts`); also the Powertools service name. */
  readonly name: FunctionName;
  readonly runtime: lambda.Runtime;
  readonly logRetention: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
  /** Of the function's log group. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * A pipeline Lambda with the house defaults: its prebuilt bundle (minified ESM, names kept, source maps) on
 * arm64, its own log group with a retention, and a role that may write only to that log group (no managed
 * policy).
 */
export class MetricsFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: MetricsFunctionProps) {
    const { name, logRetention, logLevel, logRemovalPolicy, environment, runtime, ...rest } = props;
    if (!supportedRuntimes.some((r) => r.runtimeEquals(runtime)))
      throw new Error(
        `runtime ${runtime.name} is not one the prebuilt bundles are built for: ${supportedRuntimes.map((r) => r.name).join(', ')}`,
      );
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `flash figures ${name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      code: lambdaCodeOf(name),
      handler: 'index.handler',
      runtime,
      architecture: lambda.Architecture.ARM_64,
      logGroup,
      role,
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      ...rest,
      environment: {
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
    });
    if (props.vpc) {
      // What Lambda needs to attach the function to the VPC; CDK adds it only to roles it creates itself.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    if (!runtime.runtimeEquals(supportedRuntimes[0] as lambda.Runtime))
      for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'])
        Validations.of(this).acknowledge({
          id,
          reason: `${runtime.name} was chosen by the deployment (MetricsPipelineProps.runtime), one the prebuilt bundles are built for; the default is the latest, ${supportedRuntimes[0]?.name}.`,
        });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `X-Ray PutTraceSegments/PutTelemetryRecords${props.vpc ? ' and the network interface actions Lambda needs to attach a function to a VPC (as in AWSLambdaVPCAccessExecutionRole)' : ''} support no resource-level permissions.`,
    });
  }
}
