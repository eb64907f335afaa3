/**
 * The one backoff every retry loop uses (the engine's conflicts, the bus publisher, the store's unprocessed
 * keys): full jitter, a random wait up to min(cap, base · 2^attempt), so writers that collided on a hot item
 * or a throttled partition spread out instead of colliding again.
 */
export const backoffMs = (attempt: number, baseMs: number, capMs = Number.POSITIVE_INFINITY): number =>
  Math.random() * Math.min(capMs, baseMs * 2 ** attempt);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
