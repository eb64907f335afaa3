import { randomUUID } from 'node:crypto';
import type { DeadLetterSink } from '@flash/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeadLetter, LocalQueueName, QueueMessage, QueueStorage } from './queue-storage.js';

export interface LocalQueueOptions {
  /** Most records handed to the consumer at once (SQS event source mapping: BatchSize). */
  batchSize?: number;
  /** How long to wait for a batch to fill (MaximumBatchingWindowInSeconds), in ms. */
  batchingWindowMs?: number;
  /** After this many receives a failing message moves to the dead-letter list (redrive policy). */
  maxReceiveCount?: number;
  /** How long a failed message stays invisible before it is handed out again, in ms. */
  visibilityTimeoutMs?: number;
  /** Keeps messages, receive counts and dead letters across restarts; without it they live in memory only. */
  storage?: QueueStorage;
  onError?: (error: unknown) => void;
}

export type BatchConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/**
 * An in-process stand-in for SQS feeding a Lambda: batches of up to `batchSize` records in SQS's event shape,
 * partial batch failures (`batchItemFailures`) retried after a visibility timeout, and a dead-letter list
 * after `maxReceiveCount` receives. One batch is in flight at a time. With a storage, a send resolves only
 * once the message is stored, a message is deleted from it only once processed, and `start` picks up what
 * a crashed process left: nothing accepted is lost.
 */
export class LocalQueue implements DeadLetterSink {
  readonly deadLetters: DeadLetter[] = [];
  private readonly messages: QueueMessage[] = [];
  private readonly options: Required<Omit<LocalQueueOptions, 'onError' | 'storage'>> &
    Pick<LocalQueueOptions, 'onError' | 'storage'>;
  private consumer: BatchConsumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: LocalQueueName,
    options: LocalQueueOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 10,
      batchingWindowMs: options.batchingWindowMs ?? 20,
      maxReceiveCount: options.maxReceiveCount ?? 5,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? 1000,
      storage: options.storage,
      onError: options.onError,
    };
  }

  /** Resolves once every body is stored (when the queue has a storage) and queued. */
  async send(bodies: readonly string[]): Promise<string[]> {
    const sentAt = Date.now();
    const messages = bodies.map((body) => ({ messageId: randomUUID(), body, receiveCount: 0, sentAt, visibleAt: 0 }));
    await this.options.storage?.putMessages(messages);
    this.messages.push(...messages);
    this.schedule(this.options.batchingWindowMs);
    return messages.map((m) => m.messageId);
  }

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.messages.length;
  }

  /** Loads what the storage kept (a previous run's messages and dead letters), then starts delivering. */
  async start(consumer: BatchConsumer): Promise<void> {
    const stored = await this.options.storage?.load();
    if (stored) {
      // A send that raced the load is both stored and in memory already.
      const known = new Set(this.messages.map((m) => m.messageId));
      this.messages.push(...stored.messages.filter((m) => !known.has(m.messageId)));
      this.deadLetters.push(...stored.deadLetters);
    }
    this.consumer = consumer;
    this.schedule(0);
  }

  /** Resolves when no message is waiting or in flight (dead letters do not count). */
  idle(): Promise<void> {
    if (this.messages.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  /**
   * The consumer parks a record it can never process, with the reason, as a handler sends a poison message
   * to its DLQ; it then reports the record as processed.
   */
  async deadLetter(record: SQSRecord, reason: string): Promise<void> {
    const message = this.messages.find((m) => m.messageId === record.messageId);
    if (!message) return;
    await this.options.storage?.putDeadLetter({ message, reason });
    this.remove(message);
    this.deadLetters.push({ message, reason });
  }

  /** Moves dead letters back onto the queue with a fresh receive count (redrive). */
  async redrive(): Promise<number> {
    const letters = this.deadLetters.splice(0);
    await this.options.storage?.redrive(letters);
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
      this.running = this.pump()
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
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
    const storage = this.options.storage;
    while (consumer && !this.stopped) {
      const now = Date.now();
      const batch = this.messages.filter((m) => m.visibleAt <= now).slice(0, this.options.batchSize);
      if (batch.length === 0) return;
      for (const m of batch) {
        m.receiveCount++;
        m.visibleAt = Number.POSITIVE_INFINITY;
      }
      try {
        // Receive counts are stored before delivery, so a message that crashes the process still dead-letters.
        await storage?.putMessages(batch);
      } catch (error) {
        for (const m of batch) m.visibleAt = Date.now() + this.options.visibilityTimeoutMs;
        throw error;
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
      const done = batch.filter((m) => !failed.has(m.messageId));
      for (const m of done) this.remove(m);
      await storage?.deleteMessages(done.map((m) => m.messageId));
      for (const m of batch.filter((b) => failed.has(b.messageId))) {
        // Back off a little more on every receive, as a growing visibility timeout would.
        m.visibleAt = Date.now() + this.options.visibilityTimeoutMs * m.receiveCount;
        if (m.receiveCount >= this.options.maxReceiveCount) {
          await storage?.putDeadLetter({ message: m, reason });
          this.remove(m);
          this.deadLetters.push({ message: m, reason });
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
