import { createHash } from 'node:crypto';
import { AwsError, type AwsJsonClient, awsJsonClient, SQS } from '@flash/aws';
import type { DeadLetterSink } from '@flash/core';

/** SQS message attributes hold at most 256 KiB in all; a reason needs far less. */
const MAX_REASON = 1000;

/**
 * The aggregator's DLQ on AWS, written by the handler itself: a redrive policy would move the message only
 * after maxReceiveCount failed receives, and without saying why. The reason travels as message attributes,
 * which a move task keeps, so `aws sqs receive-message --message-attribute-names All` shows it.
 */
export const sqsDeadLetters = (queueUrl: string, client: AwsJsonClient = awsJsonClient(SQS)): DeadLetterSink => ({
  async deadLetter(record, reason) {
    const sent = await client<{ MD5OfMessageBody?: string }>('SendMessage', {
      QueueUrl: queueUrl,
      MessageBody: record.body,
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON) },
        sourceMessageId: { DataType: 'String', StringValue: record.messageId },
        receiveCount: { DataType: 'Number', StringValue: record.attributes.ApproximateReceiveCount },
      },
    });
    // SQS answers the MD5 of the body it stored, which the SDK's SQS client checks too. A body altered on the
    // way is an error: the record is retried and parked again, and a redriven duplicate changes no figure.
    const md5 = createHash('md5').update(record.body).digest('hex');
    if (sent.MD5OfMessageBody !== md5)
      throw new AwsError('InvalidChecksum', `SQS stored a body with MD5 ${sent.MD5OfMessageBody}, not ${md5}`, {
        retryable: true,
      });
  },
});

export interface RedriveRequest {
  deadLetterQueueArn: string;
  /** The queue the messages go back to; given explicitly because messages the handler parked itself carry no source. */
  queueArn: string;
  /** Messages per second; unset lets SQS choose (up to 500/s). */
  maxPerSecond?: number | undefined;
}

/** Starts moving every message of the DLQ back onto its queue (SQS StartMessageMoveTask). */
export const startRedrive = async (request: RedriveRequest, client: AwsJsonClient = awsJsonClient(SQS)) => {
  const task = await client<{ TaskHandle?: string }>('StartMessageMoveTask', {
    SourceArn: request.deadLetterQueueArn,
    DestinationArn: request.queueArn,
    ...(request.maxPerSecond ? { MaxNumberOfMessagesPerSecond: request.maxPerSecond } : {}),
  });
  return { taskHandle: task.TaskHandle ?? '' };
};
