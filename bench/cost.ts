/**
 * What a million events cost on AWS, from the counts the bench measures and AWS's published prices. The one
 * price table: US East (N. Virginia), on-demand, as published on the services' pricing pages and read on
 * 2026-11-30; free tiers left out.
 */
export const AWS_PRICES = {
  region: 'us-east-1',
  readOn: '2026-11-30',
  /** HTTP API, first 300 million requests a month, per request of up to 512 KB. aws.amazon.com/api-gateway/pricing */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda on arm64, first 7.5 billion GB-s a month. aws.amazon.com/lambda/pricing */
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** A custom event published to a bus, per 64 KB chunk. aws.amazon.com/eventbridge/pricing */
  eventBridgeEvent: 1.0 / 1e6,
  /** Archive: each GB archived, and each GB-month stored. aws.amazon.com/eventbridge/pricing */
  archivePerGb: 0.1,
  archivePerGbMonth: 0.023,
  /** Standard queue, per request of up to 64 KB. aws.amazon.com/sqs/pricing */
  sqsRequest: 0.4 / 1e6,
  /** On-demand, since the price reduction of 2024-11-01. aws.amazon.com/dynamodb/pricing/on-demand */
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
} as const;

/** What the path does per event, measured by the bench (or set by the deployment, where noted). */
export interface PathCounts {
  /** Events per webhook delivery (the bench posts one per delivery: the dearest case). */
  eventsPerDelivery: number;
  /** Ingest function: milliseconds per delivery, and its memory (MetricsFunction: 256 MB). */
  ingestMs: number;
  ingestMemoryMb: number;
  /** Bytes of one event as the bus carries it (billed per 64 KB, archived by the byte). */
  eventBytes: number;
  /** How long the archive keeps an event (MetricsData: 365 days). */
  archiveMonths: number;
  /** Records per aggregate invocation (SQS BatchSize; 1 for the naive design). */
  batchSize: number;
  /** Aggregate function: milliseconds of handler time per event, and its memory (512 MB). */
  aggregateMsPerEvent: number;
  aggregateMemoryMb: number;
  writeUnitsPerEvent: number;
  readUnitsPerEvent: number;
}

export interface CostBreakdown {
  /** USD per million events, the whole path. */
  total: number;
  /** USD per million events, by line. */
  lines: Record<string, number>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** USD per million events through webhook, ingest, bus (and archive), queue, aggregate and DynamoDB. */
export const costPerMillionEvents = (c: PathCounts, p = AWS_PRICES): CostBreakdown => {
  const deliveries = 1 / c.eventsPerDelivery;
  const gbSeconds = (ms: number, mb: number) => (ms / 1000) * (mb / 1024);
  const chunks = Math.ceil(c.eventBytes / 65_536);
  const gb = c.eventBytes / 1024 ** 3;
  const invocations = 1 / c.batchSize;
  const perEvent: Record<string, number> = {
    'API Gateway (webhooks)': deliveries * p.httpApiRequest,
    'Lambda ingest': deliveries * (p.lambdaRequest + gbSeconds(c.ingestMs, c.ingestMemoryMb) * p.lambdaArmGbSecond),
    EventBridge: chunks * p.eventBridgeEvent,
    'EventBridge archive': gb * (p.archivePerGb + c.archiveMonths * p.archivePerGbMonth),
    // The rule's target sends each event; the event source mapping receives and deletes up to 10 per request.
    SQS: chunks * (1 + 2 * Math.max(0.1, invocations)) * p.sqsRequest,
    'Lambda aggregate':
      invocations * p.lambdaRequest + gbSeconds(c.aggregateMsPerEvent, c.aggregateMemoryMb) * p.lambdaArmGbSecond,
    'DynamoDB writes': c.writeUnitsPerEvent * p.dynamoWriteUnit,
    'DynamoDB reads': c.readUnitsPerEvent * p.dynamoReadUnit,
  };
  const lines = Object.fromEntries(Object.entries(perEvent).map(([k, v]) => [k, round(v * 1e6)]));
  return { total: round(Object.values(perEvent).reduce((a, b) => a + b, 0) * 1e6), lines };
};
