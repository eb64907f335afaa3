import { type AwsCredentials, AwsError, awsJsonClient, DYNAMODB, environmentCredentials } from '@flash/aws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  amzDateOf,
  localAwsJsonService,
  type ReceivedRequest,
  type ServiceAnswer,
} from '../../support/aws-json-service.js';
import { referenceSigner } from '../../support/reference-signer.js';

/**
 * `awsJsonClient` against a real HTTP server answering as DynamoDB's JSON protocol is documented to
 * (`localAwsJsonService`). Each request's signature is checked the way AWS does, by signing it again with the
 * AWS SDK's signer.
 */

const service = localAwsJsonService();
const { received } = service;
beforeAll(() => service.start());
afterAll(() => service.stop());
beforeEach(() => service.reset());
afterEach(() => {
  vi.unstubAllEnvs();
});

const KEYS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SESSION: AwsCredentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'session/secret+key',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/base64==',
};

const dynamo = (options: { maxAttempts?: number; timeoutMs?: number; credentials?: AwsCredentials } = {}) =>
  awsJsonClient(DYNAMODB, {
    endpoint: service.endpoint,
    region: 'eu-west-1',
    credentials: () => ({ ...(options.credentials ?? KEYS) }),
    maxAttempts: options.maxAttempts,
    timeoutMs: options.timeoutMs,
  });

/**
 * The authorization AWS expects for a received request, as a service computes it: the headers the request
 * says it signed, its method, path and body, signed again for DynamoDB in eu-west-1 with the caller's keys.
 */
const expectedAuthorization = async (request: ReceivedRequest, credentials: AwsCredentials): Promise<string> => {
  const signedNames = /SignedHeaders=([^,]+),/.exec(String(request.headers.authorization))?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(signedNames.map((name) => [name, String(request.headers[name])]));
  const signer = referenceSigner(credentials, 'eu-west-1', 'dynamodb');
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.path,
      query: {},
      headers,
      body: request.text,
    },
    { signingDate: amzDateOf(String(request.headers['x-amz-date'])) },
  );
  return signed.headers.authorization ?? '';
};

const failure = async (promise: Promise<unknown>): Promise<AwsError> => {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AwsError);
  return error as AwsError;
};

describe('awsJsonClient: the request', () => {
  it('is a signed POST / naming the action in x-amz-target, in JSON 1.0, answered with the output', async () => {
    const item = { pk: { S: 'customer#1' }, sk: { S: 'profile' }, n: { N: '42' } };
    service.answer({ status: 200, body: { Item: item } });
    const input = { TableName: 'figures', Key: { pk: { S: 'customer#1' }, sk: { S: 'profile' } } };

    const output = await dynamo()('GetItem', input);

    expect(output).toEqual({ Item: item });
    expect(received).toHaveLength(1);
    const [request] = received as [ReceivedRequest];
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/');
    expect(request.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(Math.abs(amzDateOf(String(request.headers['x-amz-date'])).getTime() - Date.now())).toBeLessThan(60_000);
    expect(request.headers['x-amz-security-token']).toBeUndefined();
    expect(request.body).toEqual(input);
    // Signed for the endpoint's host (with its port), DynamoDB and the client's region.
    expect(request.headers.host).toBe(new URL(service.endpoint).host);
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers.authorization).toBe(await expectedAuthorization(request, KEYS));
  });

  it('carries and signs x-amz-security-token when the credentials are a session’s', async () => {
    service.answer({ status: 200, body: {} });
    await dynamo({ credentials: SESSION })('PutItem', { TableName: 'figures', Item: { pk: { S: 'é ✓ 😀' } } });

    const [request] = received as [ReceivedRequest];
    expect(request.headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    expect(request.headers.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,',
    );
    expect(request.headers.authorization).toBe(await expectedAuthorization(request, SESSION));
  });

  it('would not verify with other keys (the check above is not vacuous)', async () => {
    service.answer({ status: 200, body: {} });
    await dynamo()('DescribeTable', { TableName: 'figures' });
    const [request] = received as [ReceivedRequest];
    expect(request.headers.authorization).not.toBe(
      await expectedAuthorization(request, { ...KEYS, secretAccessKey: 'another secret' }),
    );
  });
});

describe('awsJsonClient: errors and retries', () => {
  it('rejects a conditional check failure at once, not retried', async () => {
    service.answer({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
      },
    });
    const error = await failure(dynamo()('PutItem', { TableName: 'figures', Item: {} }));
    expect(error.name).toBe('ConditionalCheckFailedException');
    expect(error.message).toBe('The conditional request failed');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(received).toHaveLength(1);
  });

  it('gives a cancelled transaction’s CancellationReasons in details', async () => {
    const CancellationReasons = [
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
    ];
    service.answer({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        CancellationReasons,
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
      },
    });
    const error = await failure(dynamo()('TransactWriteItems', { TransactItems: [] }));
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    );
    expect(error.details).toEqual({ CancellationReasons });
    expect(error.retryable).toBe(false);
    expect(received).toHaveLength(1);
  });

  it('tries a throttled request again, and succeeds on the second answer', async () => {
    service.answer(
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        },
      },
      { status: 200, body: { Count: 0, Items: [] } },
    );
    await expect(dynamo()('Query', { TableName: 'figures' })).resolves.toEqual({ Count: 0, Items: [] });
    expect(received).toHaveLength(2);
    // The same request both times, signed anew.
    expect(received[1]?.text).toBe(received[0]?.text);
    expect(received[1]?.headers.authorization).toBe(await expectedAuthorization(received[1] as ReceivedRequest, KEYS));
  });

  it('tries 500 and 503 answers again', async () => {
    service.answer(
      {
        status: 500,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
      },
      {
        status: 503,
        body: { __type: 'com.amazon.coral.availability#ServiceUnavailableException', message: 'Service unavailable' },
      },
      { status: 200, body: { TableNames: ['figures'] } },
    );
    await expect(dynamo({ maxAttempts: 3 })('ListTables', {})).resolves.toEqual({ TableNames: ['figures'] });
    expect(received).toHaveLength(3);
  });

  it('rejects with the last error once maxAttempts are spent', async () => {
    service.answer(
      {
        status: 500,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
      },
      {
        status: 503,
        body: { __type: 'com.amazon.coral.availability#ServiceUnavailableException', message: 'Service unavailable' },
      },
      { status: 200, body: {} },
    );
    const error = await failure(dynamo({ maxAttempts: 2 })('ListTables', {}));
    expect(error.name).toBe('ServiceUnavailableException');
    expect(error.message).toBe('Service unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(received).toHaveLength(2);
  });

  it('tries again when the server closes the connection without answering', async () => {
    service.answer('close socket', { status: 200, body: { Table: { TableStatus: 'ACTIVE' } } });
    await expect(dynamo({ maxAttempts: 2 })('DescribeTable', { TableName: 'figures' })).resolves.toEqual({
      Table: { TableStatus: 'ACTIVE' },
    });
    expect(received).toHaveLength(2);
  });

  it('names a closed connection NetworkingError, retryable, when no attempt is left', async () => {
    service.answer('close socket');
    const error = await failure(dynamo({ maxAttempts: 1 })('DescribeTable', { TableName: 'figures' }));
    expect(error.name).toBe('NetworkingError');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(received).toHaveLength(1);
  });

  it('tries again when the connection breaks halfway through the answer', async () => {
    service.answer('close socket mid-answer', { status: 200, body: { Item: { pk: { S: 'a' } } } });
    await expect(dynamo({ maxAttempts: 2 })('GetItem', { TableName: 'figures' })).resolves.toEqual({
      Item: { pk: { S: 'a' } },
    });
    expect(received).toHaveLength(2);
  });

  it('abandons a try that has not answered within timeoutMs: TimeoutError', async () => {
    service.answer('never answer', 'never answer');
    const started = Date.now();
    const error = await failure(dynamo({ maxAttempts: 2, timeoutMs: 200 })('GetItem', { TableName: 'figures' }));
    expect(error.name).toBe('TimeoutError');
    expect(error.retryable).toBe(true);
    expect(received).toHaveLength(2);
    // Two tries of 200 ms each, and not the default 10 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('takes the error code from x-amzn-errortype when the body has no __type', async () => {
    service.answer({
      status: 400,
      headers: {
        'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/',
      },
      body: { message: 'Rate of requests exceeds the allowed throughput.' },
    });
    const error = await failure(dynamo({ maxAttempts: 1 })('Query', { TableName: 'figures' }));
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate of requests exceeds the allowed throughput.');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(400);
  });

  it('names a non-JSON 502 (a proxy’s HTML page) Http502, retryable', async () => {
    service.answer({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>',
    });
    const error = await failure(dynamo({ maxAttempts: 1 })('GetItem', { TableName: 'figures' }));
    expect(error.name).toBe('Http502');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
  });

  it('rejects a 200 whose body is not JSON, instead of throwing where no caller can catch it', async () => {
    service.answer({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>captive portal</html>' });
    const error = await failure(dynamo({ maxAttempts: 1 })('GetItem', { TableName: 'figures' }));
    expect(error.status).toBe(200);
    expect(error.retryable).toBe(false);
    expect(received).toHaveLength(1);
  }, 5_000);

  it('rejects an error whose body is JSON but not an object, by its status', async () => {
    service.answer({ status: 500, body: 'null' });
    const error = await failure(dynamo({ maxAttempts: 1 })('GetItem', { TableName: 'figures' }));
    expect(error.name).toBe('Http500');
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(true);
  }, 5_000);
});

describe('awsJsonClient: a local clock off from AWS’s', () => {
  const HOUR = 3_600_000;
  /** How DynamoDB refuses a signature dated over 5 minutes from its own time. */
  const signatureExpired = (awsNow: Date): ServiceAnswer => ({
    status: 400,
    headers: { date: awsNow.toUTCString() },
    body: {
      __type: 'com.amazon.coral.service#InvalidSignatureException',
      message: `Signature expired: is now earlier than ${awsNow.toISOString()} (- 5 min.)`,
    },
  });
  const signedAt = (request: ReceivedRequest | undefined) =>
    amzDateOf(String(request?.headers['x-amz-date'])).getTime();

  it('signs again with AWS’s time when a request is refused for it, and keeps that time for the next ones', async () => {
    const awsNow = new Date(Date.now() + HOUR);
    const date = { date: awsNow.toUTCString() };
    service.answer(
      signatureExpired(awsNow),
      { status: 200, body: { TableNames: [] }, headers: date },
      { status: 200, headers: date },
    );
    const client = dynamo();

    await expect(client('ListTables', {})).resolves.toEqual({ TableNames: [] });
    await client('DescribeTable', { TableName: 'figures' });

    expect(received).toHaveLength(3);
    expect(Math.abs(signedAt(received[0]) - (awsNow.getTime() - HOUR))).toBeLessThan(60_000);
    for (const request of received.slice(1)) {
      expect(Math.abs(signedAt(request) - awsNow.getTime())).toBeLessThan(60_000);
      expect(request.headers.authorization).toBe(await expectedAuthorization(request, KEYS));
    }
  });

  it('learns AWS’s time from a successful answer too, before any request is refused', async () => {
    const awsNow = new Date(Date.now() - 10 * 60_000);
    service.answer({ status: 200, headers: { date: awsNow.toUTCString() } }, { status: 200 });
    const client = dynamo();
    await client('ListTables', {});
    await client('ListTables', {});
    expect(Math.abs(signedAt(received[1]) - awsNow.getTime())).toBeLessThan(60_000);
  });

  it('keeps its own clock within 5 minutes of AWS’s, and a signature error is then not tried again', async () => {
    const awsNow = new Date(Date.now() + 2 * 60_000);
    service.answer(signatureExpired(awsNow));
    const error = await failure(dynamo()('ListTables', {}));
    expect(error).toMatchObject({ name: 'InvalidSignatureException', status: 400, retryable: false });
    expect(received).toHaveLength(1);
  });

  it('tries a refused request once more, not again and again, when AWS’s time does not move', async () => {
    const awsNow = new Date(Date.now() + HOUR);
    service.answer(signatureExpired(awsNow), signatureExpired(awsNow), signatureExpired(awsNow));
    const error = await failure(dynamo({ maxAttempts: 3 })('ListTables', {}));
    expect(error.name).toBe('InvalidSignatureException');
    expect(received).toHaveLength(2);
  });
});

describe('awsJsonClient: configuration from the environment', () => {
  it('refuses to send anything without AWS_ACCESS_KEY_ID, saying so', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const client = awsJsonClient(DYNAMODB, {
      endpoint: service.endpoint,
      region: 'eu-west-1',
      credentials: environmentCredentials,
    });
    const error = await failure(client('ListTables', {}));
    expect(error.name).toBe('CredentialsMissing');
    expect(error.message).toMatch(/AWS_ACCESS_KEY_ID/);
    expect(error.retryable).toBe(false);
    expect(received).toHaveLength(0);
  });

  it('signs with the keys in the environment by default', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', SESSION.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SESSION.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', SESSION.sessionToken);
    service.answer({ status: 200, body: { TableNames: [] } });
    await awsJsonClient(DYNAMODB, { endpoint: service.endpoint, region: 'eu-west-1' })('ListTables', {});
    const [request] = received as [ReceivedRequest];
    expect(request.headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    expect(request.headers.authorization).toBe(await expectedAuthorization(request, SESSION));
  });

  it('sends to AWS_ENDPOINT_URL_DYNAMODB when no endpoint is given (before AWS_ENDPOINT_URL)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', service.endpoint);
    // Nothing listens on port 9 (discard): a request sent there would fail, not reach the server.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    service.answer({ status: 200, body: { TableNames: ['figures'] } });
    const client = awsJsonClient(DYNAMODB, { region: 'eu-west-1', credentials: () => KEYS, maxAttempts: 1 });
    await expect(client('ListTables', {})).resolves.toEqual({ TableNames: ['figures'] });
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['x-amz-target']).toBe('DynamoDB_20120810.ListTables');
  });
});
