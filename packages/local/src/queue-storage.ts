import type { DynamoDb, DynamoOutput } from '@flash/aws';
import { queryAll } from '@flash/store';

export interface QueueMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  visibleAt: number;
}

export interface DeadLetter {
  message: QueueMessage;
  /** Why the last attempt failed, as far as the consumer said. */
  reason: string;
}

/** The local stack's queues: the aggregator's, the alert function's and the Slack step's. */
export const LOCAL_QUEUES = ['aggregate', 'alert', 'slack'] as const;
export type LocalQueueName = (typeof LOCAL_QUEUES)[number];

/** Where a LocalQueue keeps its messages so that what was accepted survives a crash of the process. */
export interface QueueStorage {
  load(): Promise<{ messages: QueueMessage[]; deadLetters: DeadLetter[] }>;
  /** Stores new messages, or their receive counts. */
  putMessages(messages: readonly QueueMessage[]): Promise<void>;
  deleteMessages(messageIds: readonly string[]): Promise<void>;
  /** Moves a message to the dead letters, atomically. */
  putDeadLetter(letter: DeadLetter): Promise<void>;
  /** Moves dead letters back to the messages with a fresh receive count, each atomically. */
  redrive(letters: readonly DeadLetter[]): Promise<void>;
}

/** The table the local stack keeps its queues in, beside the metrics table, in the same DynamoDB Local. */
export const QUEUE_TABLE_NAME = 'flash-figures-local-queues';

const BATCH_WRITE_LIMIT = 25;

type Item = Record<string, unknown>;
/** One write of a BatchWriteItem. */
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/**
 * A queue's messages and dead letters in DynamoDB Local, which keeps them on disk with DATA_DIR: an outbox
 * that the queue writes before a send resolves. One partition per queue: `M#` messages, `D#` dead letters.
 */
export class DynamoQueueStorage implements QueueStorage {
  private readonly pk: string;

  constructor(
    private readonly db: DynamoDb,
    queueName: LocalQueueName,
    private readonly tableName = QUEUE_TABLE_NAME,
  ) {
    this.pk = `Q#${queueName}`;
  }

  async load(): Promise<{ messages: QueueMessage[]; deadLetters: DeadLetter[] }> {
    const messages: QueueMessage[] = [];
    const deadLetters: DeadLetter[] = [];
    const items = queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': this.pk },
      ConsistentRead: true,
    });
    for await (const item of items) {
      const message = toMessage(item);
      if (String(item.sk).startsWith('D#')) deadLetters.push({ message, reason: String(item.reason) });
      else messages.push(message);
    }
    messages.sort((a, b) => a.sentAt - b.sentAt);
    return { messages, deadLetters };
  }

  async putMessages(messages: readonly QueueMessage[]): Promise<void> {
    await this.batchWrite(messages.map((m) => ({ PutRequest: { Item: this.messageItem(m) } })));
  }

  async deleteMessages(messageIds: readonly string[]): Promise<void> {
    await this.batchWrite(messageIds.map((id) => ({ DeleteRequest: { Key: { pk: this.pk, sk: `M#${id}` } } })));
  }

  async putDeadLetter({ message, reason }: DeadLetter): Promise<void> {
    await this.db('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: this.tableName, Item: { ...this.messageItem(message, 'D#'), reason } } },
        { Delete: { TableName: this.tableName, Key: { pk: this.pk, sk: `M#${message.messageId}` } } },
      ],
    });
  }

  async redrive(letters: readonly DeadLetter[]): Promise<void> {
    for (const { message } of letters) {
      await this.db('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: this.tableName, Item: this.messageItem({ ...message, receiveCount: 0 }) } },
          { Delete: { TableName: this.tableName, Key: { pk: this.pk, sk: `D#${message.messageId}` } } },
        ],
      });
    }
  }

  private messageItem(m: QueueMessage, prefix = 'M#'): Item {
    return { pk: this.pk, sk: `${prefix}${m.messageId}`, body: m.body, receiveCount: m.receiveCount, sentAt: m.sentAt };
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending: DynamoOutput['UnprocessedItems'] = {
        [this.tableName]: requests.slice(i, i + BATCH_WRITE_LIMIT),
      };
      while (pending && Object.keys(pending).length > 0) {
        pending = (await this.db('BatchWriteItem', { RequestItems: pending })).UnprocessedItems;
      }
    }
  }
}

const toMessage = (item: Item): QueueMessage => ({
  messageId: String(item.sk).slice(2),
  body: String(item.body),
  receiveCount: Number(item.receiveCount),
  sentAt: Number(item.sentAt),
  visibleAt: 0,
});
