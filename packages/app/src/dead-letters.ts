import { SendMessageCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { DeadLetterSink } from '@flash/core';

/** SQS message attributes hold at most 256 KiB in all; a reason needs far less. */
const MAX_REASON = 1000;

/**
 * The aggregator's DLQ on AWS, written by the handler itself: a redrive policy would move the message only
 * after maxReceiveCount failed receives, and without saying why. The reason travels as message attributes,
 * which a move task keeps, so `aws sqs receive-message --message-attribute-names All` shows it.
 */
export const sqsDeadLetters = (queueUrl: string, client = new SQSClient({})): DeadLetterSink => ({
  async deadLetter(record, reason) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON) },
          sourceMessageId: { DataType: 'String', StringValue: record.messageId },
          receiveCount: { DataType: 'Number', StringValue: record.attributes.ApproximateReceiveCount },
        },
      }),
    );
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
export const startRedrive = async (request: RedriveRequest, client = new SQSClient({})) => {
  const task = await client.send(
    new StartMessageMoveTaskCommand({
      SourceArn: request.deadLetterQueueArn,
      DestinationArn: request.queueArn,
      ...(request.maxPerSecond ? { MaxNumberOfMessagesPerSecond: request.maxPerSecond } : {}),
    }),
  );
  return { taskHandle: task.TaskHandle ?? '' };
};
