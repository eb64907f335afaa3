import type { Aggregates, QueryStore } from '@flash/core';

/** An answer as sent: its representation and the ETag that covers its figures. */
export interface BuiltAnswer {
  etag: string;
  contentType: string;
  body: string;
}

/** One aggregate read an answer was built from, as the read cache served it. */
interface Read {
  keys: readonly string[];
  value: Aggregates;
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
 * stamp `asOf` is built again for every request, as before. Concurrent requests share one build. Without
 * `reuse` (the read cache off) every answer is built.
 */
export const makeAnswerCache = (store: QueryStore, options: { reuse: boolean; maxEntries?: number }) => {
  const maxEntries = options.maxEntries ?? 1000;
  const entries = new Map<string, Promise<Recorded>>();

  const stillCurrent = async (reads: readonly Read[]): Promise<boolean> => {
    for (const read of reads) if ((await store.getAggregates(read.keys)) !== read.value) return false;
    return true;
  };

  const record = async (
    clockForAsOfOnly: boolean,
    now: () => Date,
    build: (recording: Recording) => Promise<BuiltAnswer>,
  ): Promise<Recorded> => {
    const reads: Read[] = [];
    let reusable = true;
    const getAggregates = async (keys: readonly string[]) => {
      const value = await store.getAggregates(keys);
      reads.push({ keys, value });
      return value;
    };
    // Any other read is not shared by the read cache, so nothing would tell when its answer changes.
    const recordingStore = new Proxy(store, {
      get: (target, name, receiver) => {
        if (name === 'getAggregates') return getAggregates;
        const member = Reflect.get(target, name, receiver);
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          reusable = false;
          return member.apply(target, args);
        };
      },
    });
    const recordingNow = () => {
      if (!clockForAsOfOnly) reusable = false;
      return now();
    };
    const built = await build({ store: recordingStore, now: recordingNow });
    return { ...built, reads, reusable };
  };

  return {
    /**
     * The answer for `id`: the one kept if what it was built from is unchanged, else `build`'s, kept for the
     * next request. `clockForAsOfOnly`: the route reads the clock only to stamp `asOf`, which the ETag leaves
     * out, so its answer can be reused.
     */
    answer: async (
      id: string,
      asked: { clockForAsOfOnly: boolean; now: () => Date },
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
      const next = record(asked.clockForAsOfOnly, asked.now, build);
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
