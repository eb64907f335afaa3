import { withReadCache } from '@flash/app';
import type { QueryStore } from '@flash/core';
import { describe, expect, it } from 'vitest';

/** A store whose aggregate reads are counted and resolve when told to. */
const countingStore = () => {
  const reads: string[][] = [];
  const store = {
    getAggregates: async (keys: readonly string[]) => {
      reads.push([...keys]);
      return new Map([[keys[0] ?? '', { values: { n: reads.length } }]]);
    },
    listAlerts: async () => [],
  } as unknown as QueryStore;
  return { store, reads };
};

describe('read cache', () => {
  it('shares one read among concurrent identical requests', async () => {
    const { store, reads } = countingStore();
    const cached = withReadCache(store, 250, () => 1000);
    const answers = await Promise.all(Array.from({ length: 50 }, () => cached.getAggregates(['nps#2026-11'])));
    expect(reads).toHaveLength(1);
    expect(new Set(answers.map((a) => a.get('nps#2026-11')?.values.n))).toEqual(new Set([1]));
  });

  it('serves a recent answer while one request refreshes it, and keeps key sets apart', async () => {
    const { store, reads } = countingStore();
    let t = 1000;
    const cached = withReadCache(store, 250, () => t);
    await cached.getAggregates(['a']);
    await cached.getAggregates(['b']);
    t += 249;
    await cached.getAggregates(['a']);
    expect(reads).toEqual([['a'], ['b']]);
    // Past the interval: the old answer comes back at once, and one refresh starts.
    t += 1;
    const stale = await Promise.all([cached.getAggregates(['a']), cached.getAggregates(['a'])]);
    expect(stale.map((a) => a.get('a')?.values.n)).toEqual([1, 1]);
    expect(reads).toEqual([['a'], ['b'], ['a']]);
    await new Promise((r) => setTimeout(r, 0));
    expect((await cached.getAggregates(['a'])).get('a')?.values.n).toBe(3);
  });

  it('waits for a fresh read when the answer is too old to serve', async () => {
    const { store, reads } = countingStore();
    let t = 1000;
    const cached = withReadCache(store, 250, () => t);
    await cached.getAggregates(['a']);
    t += 1000;
    expect((await cached.getAggregates(['a'])).get('a')?.values.n).toBe(2);
    expect(reads).toHaveLength(2);
  });

  it('does not keep a failed read, and leaves the other methods alone', async () => {
    let fail = true;
    const store = {
      getAggregates: async () => {
        if (fail) throw new Error('throttled');
        return new Map();
      },
      listAlerts: async () => ['alert'],
    } as unknown as QueryStore;
    const cached = withReadCache(store, 250, () => 1000);
    await expect(cached.getAggregates(['a'])).rejects.toThrow('throttled');
    fail = false;
    await expect(cached.getAggregates(['a'])).resolves.toEqual(new Map());
    expect(await cached.listAlerts(1)).toEqual(['alert']);
  });

  it('is off at 0', () => {
    const { store } = countingStore();
    expect(withReadCache(store, 0)).toBe(store);
  });
});
