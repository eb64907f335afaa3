import { createHash, randomUUID } from 'node:crypto';
import {
  BusUnavailableError,
  cachedSecretString,
  eventBridgePublisher,
  sqsDeadLetters,
  startRedrive,
} from '@flash/app';
import { AwsError, type AwsJsonService, awsJsonClient, EVENTBRIDGE, SECRETS_MANAGER, SQS } from '@flash/aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amzDateOf, localAwsJsonService, type ReceivedRequest } from '../support/aws-json-service.js';

/**
 * The adapters that replaced the AWS SDK's EventBridge, SQS and Secrets Manager clients, each with a real
 * `awsJsonClient` speaking to a local server that answers as the service's JSON protocol documents it: what
 * goes over the wire (target, content type, signature scope, body) is what the service expects, and its
 * answers, errors included, come back to the caller as the SDK's did.
 */

const service = localAwsJsonService();
const { received } = service;
beforeAll(() => service.start());
afterAll(() => service.stop());
beforeEach(() => service.reset());

const REGION = 'eu-west-1';
const clientOf = (spoken: AwsJsonService) =>
  awsJsonClient(spoken, {
    endpoint: service.endpoint,
    region: REGION,
    credentials: () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
  });

/**
 * A request as the JSON protocol has it: POST to `/`, the action in `X-Amz-Target`, the protocol version in
 * the content type, signed (SigV4) with the caller's key for the service's signing name in the region, on
 * the day of its `X-Amz-Date`, with the target and content type among the signed headers.
 */
const expectJsonRequest = (
  request: ReceivedRequest | undefined,
  { target, contentType, signingName }: { target: string; contentType: string; signingName: string },
) => {
  expect(request).toMatchObject({
    method: 'POST',
    path: '/',
    headers: { 'x-amz-target': target, 'content-type': contentType },
  });
  const amzDate = String(request?.headers['x-amz-date']);
  expect(Math.abs(amzDateOf(amzDate).getTime() - Date.now())).toBeLessThan(60_000);
  const authorization = String(request?.headers.authorization);
  const credential = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${amzDate.slice(0, 8)}/${REGION}/${signingName}/aws4_request`;
  expect(authorization.slice(0, credential.length)).toBe(credential);
  const [, signed] = /, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(authorization) ?? [];
  expect(signed?.split(';')).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date', 'x-amz-target']));
};

const PUT_EVENTS = { target: 'AWSEvents.PutEvents', contentType: 'application/x-amz-json-1.1', signingName: 'events' };
const SEND_MESSAGE = { target: 'AmazonSQS.SendMessage', contentType: 'application/x-amz-json-1.0', signingName: 'sqs' };
const START_MOVE_TASK = {
  target: 'AmazonSQS.StartMessageMoveTask',
  contentType: 'application/x-amz-json-1.0',
  signingName: 'sqs',
};
const GET_SECRET_VALUE = {
  target: 'secretsmanager.GetSecretValue',
  contentType: 'application/x-amz-json-1.1',
  signingName: 'secretsmanager',
};

describe('EventBridge PutEvents (AWS JSON 1.1)', () => {
  const busEntries = [
    { source: 'flash-figures.ingest', detailType: 'entity.deal', detail: { id: 'D1', value: 100 } },
    { source: 'flash-figures.ingest', detailType: 'entity.customer', detail: { id: 'C1' } },
    { source: 'flash-figures.ingest', detailType: 'entity.deal', detail: { id: 'D2', value: 250 } },
  ];
  const putEntry = (i: number) => ({
    EventBusName: 'flash-figures',
    Source: busEntries[i]?.source,
    DetailType: busEntries[i]?.detailType,
    Detail: JSON.stringify(busEntries[i]?.detail),
  });

  it('publishes the entries in one signed PutEvents, each with its bus, source, detail type and JSON detail', async () => {
    service.answer({
      status: 200,
      body: { FailedEntryCount: 0, Entries: busEntries.map(() => ({ EventId: randomUUID() })) },
    });
    await eventBridgePublisher('flash-figures', clientOf(EVENTBRIDGE)).publish(busEntries);
    expect(received).toHaveLength(1);
    expectJsonRequest(received[0], PUT_EVENTS);
    expect(received[0]?.body).toEqual({ Entries: [putEntry(0), putEntry(1), putEntry(2)] });
  });

  it('sends again, on their own, the entries whose result carries an ErrorCode', async () => {
    service.answer(
      {
        status: 200,
        body: {
          FailedEntryCount: 1,
          Entries: [
            { EventId: randomUUID() },
            { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Service Failure' },
            { EventId: randomUUID() },
          ],
        },
      },
      { status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: randomUUID() }] } },
    );
    await eventBridgePublisher('flash-figures', clientOf(EVENTBRIDGE), { baseDelayMs: 0 }).publish(busEntries);
    expect(received.map((r) => r.body)).toEqual([
      { Entries: [putEntry(0), putEntry(1), putEntry(2)] },
      { Entries: [putEntry(1)] },
    ]);
    expectJsonRequest(received[1], PUT_EVENTS);
  });

  it('refuses the delivery, naming the error code, when an entry is refused on every attempt', async () => {
    const refused = {
      status: 200,
      body: {
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Service Failure' }],
      },
    };
    service.answer(refused, refused);
    const publisher = eventBridgePublisher('flash-figures', clientOf(EVENTBRIDGE), { attempts: 2, baseDelayMs: 0 });
    const delivery = publisher.publish(busEntries.slice(0, 1));
    await expect(delivery).rejects.toThrow(BusUnavailableError);
    await expect(delivery).rejects.toThrow(
      /1 of 1 events not accepted by the bus \(InternalFailure: Internal Service Failure\)/,
    );
    expect(received).toHaveLength(2);
  });
});

describe('SQS (AWS JSON 1.0)', () => {
  const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/flash-figures-aggregate-dlq';
  const record = {
    messageId: 'm-1',
    body: '{"detail-type":"entity.deal"}',
    attributes: { ApproximateReceiveCount: '3' },
  };
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');

  it('parks a dead letter with SendMessage, its reason, source message and receive count as message attributes', async () => {
    service.answer({
      status: 200,
      body: { MD5OfMessageBody: md5(record.body), MessageId: randomUUID() },
    });
    await sqsDeadLetters(QUEUE_URL, clientOf(SQS)).deadLetter(record, 'invalid event: amount is not a number');
    expect(received).toHaveLength(1);
    expectJsonRequest(received[0], SEND_MESSAGE);
    expect(received[0]?.body).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: record.body,
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: 'invalid event: amount is not a number' },
        sourceMessageId: { DataType: 'String', StringValue: 'm-1' },
        receiveCount: { DataType: 'Number', StringValue: '3' },
      },
    });
  });

  it('fails a dead letter whose body SQS stored altered (its MD5 differs), so the record is tried again', async () => {
    service.answer({ status: 200, body: { MD5OfMessageBody: md5(`${record.body} `), MessageId: randomUUID() } });
    const parked = sqsDeadLetters(QUEUE_URL, clientOf(SQS)).deadLetter(record, 'invalid event');
    await expect(parked).rejects.toMatchObject({ name: 'InvalidChecksum', retryable: true });
  });

  it('starts a redrive with StartMessageMoveTask and answers its task handle', async () => {
    const taskHandle = Buffer.from(JSON.stringify({ taskId: randomUUID() })).toString('base64');
    service.answer({ status: 200, body: { TaskHandle: taskHandle } });
    const task = await startRedrive(
      {
        deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:flash-figures-aggregate-dlq',
        queueArn: 'arn:aws:sqs:eu-west-1:123456789012:flash-figures-aggregate',
        maxPerSecond: 50,
      },
      clientOf(SQS),
    );
    expect(task).toEqual({ taskHandle });
    expectJsonRequest(received[0], START_MOVE_TASK);
    expect(received[0]?.body).toEqual({
      SourceArn: 'arn:aws:sqs:eu-west-1:123456789012:flash-figures-aggregate-dlq',
      DestinationArn: 'arn:aws:sqs:eu-west-1:123456789012:flash-figures-aggregate',
      MaxNumberOfMessagesPerSecond: 50,
    });
  });

  it('fails a dead letter with QueueDoesNotExist when the queue is gone, without sending it again', async () => {
    service.answer({
      status: 400,
      headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
    });
    const parked = sqsDeadLetters(QUEUE_URL, clientOf(SQS)).deadLetter(record, 'invalid event');
    await expect(parked).rejects.toThrow(AwsError);
    await expect(parked).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
      status: 400,
      retryable: false,
    });
    expect(received).toHaveLength(1);
  });
});

describe('Secrets Manager GetSecretValue (AWS JSON 1.1)', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token-a1b2c3';
  const secretValue = (SecretString: string) => ({
    status: 200,
    body: {
      ARN: SECRET_ARN,
      Name: 'api-token',
      VersionId: randomUUID(),
      SecretString,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1.764e9,
    },
  });

  it('reads the secret string of the secret asked for', async () => {
    service.answer(secretValue('token-one'));
    expect(await cachedSecretString(SECRET_ARN, { client: clientOf(SECRETS_MANAGER) })()).toBe('token-one');
    expect(received).toHaveLength(1);
    expectJsonRequest(received[0], GET_SECRET_VALUE);
    expect(received[0]?.body).toEqual({ SecretId: SECRET_ARN });
  });

  it('fails a first read with ResourceNotFoundException, and reads again on the next call', async () => {
    service.answer(
      {
        status: 400,
        body: { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." },
      },
      secretValue('token-one'),
    );
    const secret = cachedSecretString(SECRET_ARN, { client: clientOf(SECRETS_MANAGER) });
    await expect(secret()).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      status: 400,
    });
    expect(received).toHaveLength(1);
    expect(await secret()).toBe('token-one');
    expect(received).toHaveLength(2);
  });
});
