import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryClient } from '@flash/connectors';
import type { EventSink } from './sink.js';

/**
 * The backfill runner: pages through a provider's history client, delivers each page to a sink and
 * checkpoints the page once delivered, so an interrupted run resumes after its last completed page. The
 * same runner serves `npm run backfill` (HTTP sink, checkpoint file) and the backfill function on AWS (bus
 * sink, the cursor carried by the state machine between invocations).
 */

/** Where a run stands after its last completed page. */
export interface Checkpoint {
  /** The cursor of the next page to read. */
  cursor: string;
  pages: number;
  items: number;
  events: number;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | undefined>;
  save(checkpoint: Checkpoint): Promise<void>;
  /** A completed run removes its checkpoint: the next run with the same key starts from the first page. */
  clear(): Promise<void>;
}

/** What identifies a run for resuming: the same source, since and target resume one another. */
export interface RunKey {
  source: string;
  since?: string | undefined;
  target: string;
}

/** The checkpoint file of a run: `<dir>/<source>-<hash of source, since, target>.json`. */
export const checkpointPath = (dir: string, key: RunKey): string => {
  const hash = createHash('sha256')
    .update(JSON.stringify([key.source, key.since ?? null, key.target]))
    .digest('hex');
  return join(dir, `${key.source}-${hash.slice(0, 16)}.json`);
};

/** A checkpoint kept in a local file, written whole (temporary file, then rename) after every page. */
export const fileCheckpoint = (dir: string, key: RunKey): CheckpointStore => {
  const path = checkpointPath(dir, key);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const saved = JSON.parse(text) as Checkpoint & RunKey;
      return { cursor: saved.cursor, pages: saved.pages, items: saved.items, events: saved.events };
    },
    async save(checkpoint) {
      await mkdir(dir, { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify({ ...key, ...checkpoint, savedAt: new Date().toISOString() })}\n`);
      await rename(temporary, path);
    },
    clear: () => rm(path, { force: true }),
  };
};

/** A checkpoint held in memory, starting from `initial` (the backfill function's input). */
export const memoryCheckpoint = (initial?: Checkpoint): CheckpointStore & { current(): Checkpoint | undefined } => {
  let current = initial;
  return {
    load: async () => current,
    save: async (checkpoint) => {
      current = checkpoint;
    },
    clear: async () => {
      current = undefined;
    },
    current: () => current,
  };
};

export interface Progress {
  source: string;
  pages: number;
  items: number;
  events: number;
  /** Pages a resumed run found completed by the run before it. */
  resumedAfterPage: number;
  elapsedMs: number;
  /** Items read per second by this run. */
  itemsPerSecond: number;
  /** Objects left in the list being read, when the provider says; with the rate, the ETA. */
  remaining?: number | undefined;
  etaSeconds?: number | undefined;
}

export interface BackfillResult extends Progress {
  /** False when `shouldStop` ended the run early; `checkpoint` is then where to resume. */
  done: boolean;
  checkpoint?: Checkpoint | undefined;
}

export interface BackfillOptions {
  client: HistoryClient;
  sink: EventSink;
  checkpoint: CheckpointStore;
  /** Told after each completed page. */
  onPage?: (progress: Progress) => void;
  /** Asked after each completed page; true ends the run there (the backfill function's time budget). */
  shouldStop?: () => boolean;
  /** Epoch ms, for the rate. */
  now?: () => number;
}

/** Thrown when a page could not be read or delivered; what completed before it stays checkpointed. */
export class BackfillError extends Error {
  constructor(
    message: string,
    readonly progress: Progress,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackfillError';
  }
}

export const runBackfill = async ({
  client,
  sink,
  checkpoint,
  onPage,
  shouldStop = () => false,
  now = Date.now,
}: BackfillOptions): Promise<BackfillResult> => {
  const started = now();
  const resumed = await checkpoint.load();
  let at: Checkpoint = resumed ?? { cursor: '', pages: 0, items: 0, events: 0 };
  let cursor = resumed?.cursor;
  let itemsThisRun = 0;
  let remaining: number | undefined;
  const progress = (): Progress => {
    const elapsedMs = now() - started;
    const itemsPerSecond = elapsedMs > 0 ? (itemsThisRun * 1000) / elapsedMs : 0;
    return {
      source: client.source,
      pages: at.pages,
      items: at.items,
      events: at.events,
      resumedAfterPage: resumed?.pages ?? 0,
      elapsedMs,
      itemsPerSecond,
      remaining,
      etaSeconds: remaining !== undefined && itemsPerSecond > 0 ? remaining / itemsPerSecond : undefined,
    };
  };
  for (;;) {
    try {
      const page = await client.page(cursor);
      if (page.events.length > 0) await sink.deliver(page.events);
      itemsThisRun += page.items;
      remaining = page.remaining;
      at = {
        cursor: page.next ?? '',
        pages: at.pages + 1,
        items: at.items + page.items,
        events: at.events + page.events.length,
      };
      if (page.next === undefined) {
        await checkpoint.clear();
        onPage?.(progress());
        return { ...progress(), done: true };
      }
      await checkpoint.save(at);
      cursor = page.next;
    } catch (error) {
      throw new BackfillError(
        `${client.source}: page ${at.pages + 1} failed: ${(error as Error).message}`,
        progress(),
        { cause: error },
      );
    }
    onPage?.(progress());
    if (shouldStop()) return { ...progress(), done: false, checkpoint: at };
  }
};
