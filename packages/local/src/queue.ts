import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

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

export interface LocalQueueOptions {
  /** Most records handed to the consumer at once (SQS event source mapping: BatchSize). */
  batchSize?: number;
  /** How long to wait for a batch to fill (MaximumBatchingWindowInSeconds), in ms. */
  batchingWindowMs?: number;
  /** After this many receives a failing message moves to the dead-letter list (redrive policy). */
  maxReceiveCount?: number;
  /** How long a failed message stays invisible before it is handed out again, in ms. */
  visibilityTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export type BatchConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/**
 * An in-process stand-in for SQS feeding a Lambda: batches of up to `batchSize` records in SQS's event shape,
 * partial batch failures (`batchItemFailures`) retried after a visibility timeout, and a dead-letter list
 * after `maxReceiveCount` receives. One batch is in flight at a time.
 */
export class LocalQueue {
  readonly deadLetters: DeadLetter[] = [];
  private readonly messages: QueueMessage[] = [];
  private readonly options: Required<Omit<LocalQueueOptions, 'onError'>> & Pick<LocalQueueOptions, 'onError'>;
  private consumer: BatchConsumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    options: LocalQueueOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 10,
      batchingWindowMs: options.batchingWindowMs ?? 20,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? 1000,
      onError: options.onError,
    };
  }

  send(body: string): string {
    const message = { messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now(), visibleAt: 0 };
    this.messages.push(message);
    this.schedule(this.options.batchingWindowMs);
    return message.messageId;
  }

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.messages.length;
  }

  consume(consumer: BatchConsumer): void {
    this.consumer = consumer;
    this.schedule(0);
  }

  /** Resolves when no message is waiting or in flight (dead letters do not count). */
  idle(): Promise<void> {
    if (this.messages.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  /** Moves dead letters back onto the queue with a fresh receive count (redrive). */
  redrive(): number {
    const letters = this.deadLetters.splice(0);
    for (const { message } of letters) this.messages.push({ ...message, receiveCount: 0, visibleAt: 0 });
    if (letters.length > 0) this.schedule(0);
    return letters.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || !this.consumer || this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pump().finally(() => {
        this.running = undefined;
        this.afterPump();
      });
    }, delayMs);
  }

  private afterPump(): void {
    if (this.messages.length === 0) {
      for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
      return;
    }
    const nextVisible = Math.min(...this.messages.map((m) => m.visibleAt));
    this.schedule(Math.max(0, nextVisible - Date.now()));
  }

  private async pump(): Promise<void> {
    const consumer = this.consumer;
    while (consumer && !this.stopped) {
      const now = Date.now();
      const batch = this.messages.filter((m) => m.visibleAt <= now).slice(0, this.options.batchSize);
      if (batch.length === 0) return;
      for (const m of batch) {
        m.receiveCount++;
        m.visibleAt = Number.POSITIVE_INFINITY;
      }
      let failed: Set<string>;
      let reason = 'batch item failure reported by the consumer';
      try {
        const response = await consumer({ Records: batch.map((m) => this.toRecord(m)) });
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        this.options.onError?.(error);
        reason = (error as Error).message;
        failed = new Set(batch.map((m) => m.messageId));
      }
      for (const m of batch) {
        if (!failed.has(m.messageId)) this.remove(m);
        else if (m.receiveCount >= this.options.maxReceiveCount) {
          this.remove(m);
          this.deadLetters.push({ message: m, reason });
        } else {
          // Back off a little more on every receive, as a growing visibility timeout would.
          m.visibleAt = Date.now() + this.options.visibilityTimeoutMs * m.receiveCount;
        }
      }
    }
  }

  private remove(message: QueueMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  private toRecord(m: QueueMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }
}
