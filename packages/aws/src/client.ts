import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AwsCredentials, signedHeaders } from './sigv4.js';

/**
 * Taken as CommonJS does, not imported: an ES import of node:http reads every export, and since Node 22 three
 * of them (WebSocket, CloseEvent, MessageEvent) are getters that load undici, about 60 ms of every cold start.
 * https loads http anyway, so this costs nothing more.
 */
const { request: httpRequest } = process.getBuiltinModule('node:http');

/**
 * An AWS service spoken in its JSON protocol: every action a POST to `/` naming itself in `X-Amz-Target`.
 * DynamoDB, EventBridge, SQS and Secrets Manager all speak it, which is why one small client serves every
 * function here (the AWS SDK's clients cost a function about as much cold start again as the rest of it;
 * docs/benchmark.md has the measurements).
 */
export interface AwsJsonService {
  /** The SDK's service id, upper case: `AWS_ENDPOINT_URL_<ID>` overrides the endpoint, as with the SDK. */
  id: string;
  /** The first label of the regional endpoint, and the name requests are signed for. */
  endpointPrefix: string;
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
}

export const DYNAMODB: AwsJsonService = {
  id: 'DYNAMODB',
  endpointPrefix: 'dynamodb',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
};
export const EVENTBRIDGE: AwsJsonService = {
  id: 'EVENTBRIDGE',
  endpointPrefix: 'events',
  targetPrefix: 'AWSEvents',
  jsonVersion: '1.1',
};
export const SQS: AwsJsonService = { id: 'SQS', endpointPrefix: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0' };
export const SECRETS_MANAGER: AwsJsonService = {
  id: 'SECRETS_MANAGER',
  endpointPrefix: 'secretsmanager',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
};

/** Where a client's keys come from, asked before each request (cheap: the environment, or a cache). */
export type CredentialSource = () => AwsCredentials | Promise<AwsCredentials>;

/** The keys Lambda puts in every function's environment (and that `aws configure export-credentials` prints). */
export const environmentCredentials: CredentialSource = () => {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw new AwsError('CredentialsMissing', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set', {
      retryable: false,
    });
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN };
};

/**
 * A failed request: `name` is the service's error code (`ConditionalCheckFailedException`, as the SDK names
 * its errors), `details` the error body's other fields (a cancelled transaction's `CancellationReasons`).
 */
export class AwsError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(
    name: string,
    message: string,
    options: { status?: number; retryable: boolean; details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = name;
    this.status = options.status;
    this.retryable = options.retryable;
    this.details = options.details ?? {};
  }
}

/** Error codes that mean "slow down", across the services: sent again after a backoff. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);

/** Whether `error` is the service saying "slow down" (the client's retries may already be spent). */
export const isThrottling = (error: unknown): boolean => error instanceof AwsError && THROTTLING.has(error.name);

/** An error body's code: `__type` (or the `x-amzn-errortype` header) without its namespace or URL. */
const errorCode = (type: string): string => type.split('#').pop()?.split(':')[0] ?? type;

/** A body's JSON object; undefined for anything else (a proxy's HTML page, nothing, `null`, a list). */
const jsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

const errorFrom = (
  status: number,
  headers: IncomingMessage['headers'],
  text: string,
  clockCorrected: boolean,
): AwsError => {
  // Without a JSON object, the status says enough.
  const { __type, message, Message, ...details } = jsonObject(text) ?? {};
  const type = typeof __type === 'string' ? __type : String(headers['x-amzn-errortype'] ?? `Http${status}`);
  const code = errorCode(type);
  const description =
    typeof message === 'string' ? message : typeof Message === 'string' ? Message : text.slice(0, 200);
  // A request refused while the clock was off (InvalidSignatureException, "Signature expired") is signed
  // again with the corrected time.
  const retryable = status >= 500 || status === 429 || THROTTLING.has(code) || clockCorrected;
  return new AwsError(code, description || `HTTP ${status}`, { status, retryable, details });
};

export interface AwsJsonClientOptions {
  /** @default AWS_REGION, then AWS_DEFAULT_REGION */
  region?: string | undefined;
  /** @default AWS_ENDPOINT_URL_<ID>, then AWS_ENDPOINT_URL, then the service's regional endpoint */
  endpoint?: string | undefined;
  /** @default environmentCredentials */
  credentials?: CredentialSource | undefined;
  /** Tries per request, the first included (as the SDK's `maxAttempts`). @default 3 */
  maxAttempts?: number | undefined;
  /** A try that has not answered in this time is abandoned and, attempts left, tried again. @default 10 s */
  timeoutMs?: number | undefined;
}

/** One action of one service: the JSON input in, the JSON output back, or an AwsError. */
export type AwsJsonClient = <Output = Record<string, unknown>>(action: string, input: object) => Promise<Output>;

const regionalEndpoint = (service: AwsJsonService, region: string): string =>
  `https://${service.endpointPrefix}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;

/** How far the local clock may be from AWS's before requests are signed with AWS's time (as the SDK: 5 min). */
const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;

/** Full-jitter exponential backoff, as the SDK's standard retry mode: 100 ms base, 500 ms when throttled. */
const backoff = (attempt: number, throttled: boolean): number =>
  randomInt(0, Math.min(20_000, (throttled ? 500 : 100) * 2 ** attempt) + 1);

/**
 * A client for one service. Each request is signed (Signature Version 4) and sent over Node's keep-alive
 * agent; throttling, 5xx answers, timeouts and broken connections are tried again with backoff up to
 * `maxAttempts`, as the SDK's standard retry mode does. Callers that retry a request themselves must make it
 * idempotent (DynamoDB's `transactWrite` sets a ClientRequestToken for that).
 *
 * A signature is refused once its time is 5 minutes off AWS's. As the SDK does, the client reads the `Date`
 * of every answer and, when the local clock is that far off, signs from then on with AWS's time; a request
 * refused while the clock was off is tried again, whatever the error (a laptop's clock running a CLI, say).
 */
export const awsJsonClient = (service: AwsJsonService, options: AwsJsonClientOptions = {}): AwsJsonClient => {
  const { credentials = environmentCredentials, maxAttempts = 3, timeoutMs = 10_000 } = options;
  const contentType = `application/x-amz-json-${service.jsonVersion}`;
  let target: { url: URL; region: string } | undefined;
  /** AWS's time less the local clock's, once they were found to differ by CLOCK_SKEW_LIMIT_MS or more. */
  let clockOffsetMs = 0;
  /** Learns AWS's time from an answer's Date header; says whether the offset changed. */
  const correctClock = (date: string | undefined): boolean => {
    const awsTime = date === undefined ? Number.NaN : Date.parse(date);
    if (!Number.isFinite(awsTime) || Math.abs(awsTime - (Date.now() + clockOffsetMs)) < CLOCK_SKEW_LIMIT_MS)
      return false;
    clockOffsetMs = awsTime - Date.now();
    return true;
  };
  const resolveTarget = () => {
    if (target) return target;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new AwsError('RegionMissing', 'AWS_REGION is not set', { retryable: false });
    const endpoint =
      options.endpoint ??
      process.env[`AWS_ENDPOINT_URL_${service.id}`] ??
      process.env.AWS_ENDPOINT_URL ??
      regionalEndpoint(service, region);
    target = { url: new URL(endpoint), region };
    return target;
  };

  const once = async (action: string, body: string): Promise<unknown> => {
    const { url, region } = resolveTarget();
    const headers = signedHeaders({
      method: 'POST',
      url,
      headers: { 'content-type': contentType, 'x-amz-target': `${service.targetPrefix}.${action}` },
      body,
      service: service.endpointPrefix,
      region,
      credentials: await credentials(),
      now: new Date(Date.now() + clockOffsetMs),
    });
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const request = send(url, { method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // The connection broken halfway through the answer: as broken before it, tried again.
        response.on('error', (error) =>
          reject(new AwsError('NetworkingError', error.message, { retryable: true, cause: error })),
        );
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          const clockCorrected = correctClock(response.headers.date);
          if (status < 200 || status >= 300) return reject(errorFrom(status, response.headers, text, clockCorrected));
          const output = text === '' ? {} : jsonObject(text);
          // Not tried again: the service may have acted on the request before something garbled its answer.
          if (output) resolve(output);
          else
            reject(
              new AwsError('InvalidResponse', `HTTP ${status} answered with no JSON object: ${text.slice(0, 200)}`, {
                status,
                retryable: false,
              }),
            );
        });
      });
      request.setTimeout(timeoutMs, () =>
        request.destroy(new AwsError('TimeoutError', `no answer within ${timeoutMs} ms`, { retryable: true })),
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error instanceof AwsError
            ? error
            : new AwsError('NetworkingError', error.message, { retryable: true, cause: error }),
        ),
      );
      request.end(body);
    });
  };

  return async <Output>(action: string, input: object): Promise<Output> => {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await once(action, body)) as Output;
      } catch (error) {
        if (!(error instanceof AwsError) || !error.retryable || attempt >= maxAttempts) throw error;
        await new Promise((wake) => setTimeout(wake, backoff(attempt, isThrottling(error))));
      }
    }
  };
};
