import { createHmac } from 'node:crypto';

export interface FreshnessResult {
  ratePerSecond: number;
  seconds: number;
  sent: number;
  accepted: number;
  /** Events whose figure was seen changing before the watch ended. */
  seen: number;
  /** How often the watcher asks the API, as a dashboard would, only faster. */
  watchIntervalMs: number;
  /** Median round trip of a webhook POST (verify, parse, enqueue durably, 202). */
  ingestMsP50: number;
  /** From the 202 to the first API answer that counts the event. */
  latencyMs: { p50: number; p99: number; max: number };
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * How long a webhook takes to reach a figure, on the local stack: signed generic deliveries of one new NPS
 * answer each, at a steady `ratePerSecond` for `seconds`, in a month nothing else writes; a watcher asks
 * `GET /v1/metrics` every `watchIntervalMs` (with its ETag, through the query function's read cache, as a
 * dashboard does). The queue applies events in the order they were accepted, so the event accepted n-th is
 * counted once the month shows n responses; its freshness is the time from its 202 to that answer.
 */
export const measureFreshness = async (opts: {
  baseUrl: string;
  /** WEBHOOK_SECRET_GENERIC of the stack. */
  secret: string;
  period: string;
  ratePerSecond: number;
  seconds: number;
  watchIntervalMs: number;
  signal?: AbortSignal;
}): Promise<FreshnessResult> => {
  const total = opts.ratePerSecond * opts.seconds;
  const acceptedAt: number[] = [];
  const roundTrips: number[] = [];
  let accepted = 0;
  const visibleAt: number[] = [];
  const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

  const post = async (i: number) => {
    const body = JSON.stringify({
      events: [
        {
          type: 'survey_response',
          id: `fresh-${i}`,
          version: 1,
          score: 9,
          submittedAt: `${opts.period}-15T10:00:00Z`,
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', opts.secret).update(body).digest('hex')}`;
    const sent = performance.now();
    const res = await fetch(`${opts.baseUrl}/webhooks/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`webhook ${i} answered ${res.status}`);
    // The n-th 202 is the n-th event the queue holds.
    acceptedAt[accepted++] = performance.now();
    roundTrips.push(performance.now() - sent);
  };

  let sending = true;
  let givenUp = false;
  const watch = async () => {
    let etag: string | undefined;
    const url = `${opts.baseUrl}/v1/metrics?period=${opts.period}`;
    const done = () => givenUp || opts.signal?.aborted || (!sending && visibleAt.length >= accepted);
    for (let next = performance.now(); !done(); next += opts.watchIntervalMs) {
      await sleepUntil(next);
      const res = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} });
      const at = performance.now();
      if (res.status === 304) continue;
      etag = res.headers.get('etag') ?? undefined;
      const responses = ((await res.json()) as { nps: { responses: number } }).nps.responses;
      for (let n = visibleAt.length; n < responses; n++) visibleAt[n] = at;
    }
  };

  const watching = watch();
  const started = performance.now();
  const posts: Promise<void>[] = [];
  // The run's signal stops the loops; passed to each of ~4,500 requests it would hold a listener per request.
  for (let i = 0; i < total && !opts.signal?.aborted; i++) {
    await sleepUntil(started + (i * 1000) / opts.ratePerSecond);
    posts.push(post(i));
  }
  await Promise.all(posts).finally(() => {
    sending = false;
  });
  // Everything accepted is applied within seconds; a stuck pipeline would be reported, not waited for.
  const timeout = setTimeout(() => {
    givenUp = true;
  }, 60_000);
  await watching.finally(() => clearTimeout(timeout));
  const latencies = visibleAt
    .slice(0, accepted)
    .map((at, n) => Math.max(0, at - (acceptedAt[n] ?? at)))
    .sort((a, b) => a - b);
  if (latencies.length < accepted) throw new Error(`only ${latencies.length} of ${accepted} events were seen`);
  return {
    ratePerSecond: opts.ratePerSecond,
    seconds: opts.seconds,
    sent: total,
    accepted,
    seen: latencies.length,
    watchIntervalMs: opts.watchIntervalMs,
    ingestMsP50: round1(
      percentile(
        roundTrips.sort((a, b) => a - b),
        0.5,
      ),
    ),
    latencyMs: {
      p50: round1(percentile(latencies, 0.5)),
      p99: round1(percentile(latencies, 0.99)),
      max: round1(latencies.at(-1) ?? Number.NaN),
    },
  };
};
