import type { QueryStore } from '@flash/core';

/** An answer as sent: its representation and the ETag that covers its figures. */
export interface BuiltAnswer {
  etag: string;
  contentType: string;
  body: string;
}

/** The reads the read cache shares (read-cache.ts), whose answers keep their identity while unchanged. */
const SHARED_READS = new Set<PropertyKey>(['getAggregates', 'listAggregateRange', 'getSnapshots']);

/** One shared read an answer was built from, as the read cache served it. */
interface Read {
  method: string;
  args: unknown[];
  value: unknown;
}

interface Recorded extends BuiltAnswer {
  reads: Read[];
  /** Built from shared aggregate reads alone (and the clock only for `asOf`): reusable while they are unchanged. */
  reusable: boolean;
}

/** What an answer is built with: a store and a clock that record what it reads. */
export interface Recording {
  store: QueryStore;
  now: () => Date;
}

/**
 * Polling dashboards ask for the same answer many times a second, and a poller that sends its ETag only needs
 * to know whether the answer changed. This keeps, per request identity (route, parsed parameters,
 * representation), the last answer built and the aggregate reads it was built from, as `withReadCache` served
 * them. A request is answered from it, without building any figure, when every one of those reads is still
 * the very value the read cache serves now; `withReadCache` keeps a value's identity across refreshes that read
 * the same aggregates, and replaces it as soon as one differs. So an answer is reused exactly while the figures
 * it shows cannot have changed, and is never older than the read cache's own window.
 *
 * An answer that read anything else (entity lists, partitions, documents, alerts) or the clock other than to
 * stamp `asOf` and learn today's date (which the caller puts in `id`) is built again for every request. Concurrent requests share one build. Without
 * `reuse` (the read cache off) every answer is built.
 */
export const makeAnswerCache = (store: QueryStore, options: { reuse: boolean; maxEntries?: number }) => {
  const maxEntries = options.maxEntries ?? 1000;
  const entries = new Map<string, Promise<Recorded>>();

  const readAgain = (read: Read): Promise<unknown> =>
    (store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[read.method]?.(...read.args) ??
    Promise.resolve(undefined);
  const stillCurrent = async (reads: readonly Read[]): Promise<boolean> => {
    for (const read of reads) if ((await readAgain(read)) !== read.value) return false;
    return true;
  };

  const record = async (
    clockForDateAndAsOf: boolean,
    now: () => Date,
    build: (recording: Recording) => Promise<BuiltAnswer>,
  ): Promise<Recorded> => {
    const reads: Read[] = [];
    let reusable = true;
    // A shared read is recorded; any other read is not shared by the read cache, so nothing would tell when
    // its answer changes.
    const recordingStore = new Proxy(store, {
      get: (target, name, receiver) => {
        const member = Reflect.get(target, name, receiver);
        if (typeof member !== 'function') return member;
        if (SHARED_READS.has(name))
          return async (...args: unknown[]) => {
            const value: unknown = await member.apply(target, args);
            reads.push({ method: String(name), args, value });
            return value;
          };
        return (...args: unknown[]) => {
          reusable = false;
          return member.apply(target, args);
        };
      },
    });
    const recordingNow = () => {
      if (!clockForDateAndAsOf) reusable = false;
      return now();
    };
    const built = await build({ store: recordingStore, now: recordingNow });
    return { ...built, reads, reusable };
  };

  return {
    /**
     * The answer for `id`: the one kept if what it was built from is unchanged, else `build`'s, kept for the
     * next request. `clockForDateAndAsOf`: the route reads the clock only to stamp `asOf`, which the ETag leaves
     * out, and to learn today's date, which `id` holds, so its answer can be reused.
     */
    answer: async (
      id: string,
      asked: { clockForDateAndAsOf: boolean; now: () => Date },
      build: (recording: Recording) => Promise<BuiltAnswer>,
    ): Promise<BuiltAnswer> => {
      if (!options.reuse) return build({ store, now: asked.now });
      const known = entries.get(id);
      if (known) {
        const kept = await known.catch(() => undefined);
        if (kept?.reusable && (await stillCurrent(kept.reads))) return kept;
        // Another request found it changed first and is building: its answer is at least as new as this check.
        const newer = entries.get(id);
        if (newer && newer !== known) return newer;
      }
      const next = record(asked.clockForDateAndAsOf, asked.now, build);
      entries.delete(id); // re-inserted last: the map's order is the order of building, oldest first
      entries.set(id, next);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      next.then(
        (recorded) => !recorded.reusable && entries.get(id) === next && entries.delete(id),
        () => entries.get(id) === next && entries.delete(id),
      );
      return next;
    },
  };
};
