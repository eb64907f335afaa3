import { backoffMs, type CanonicalEvent, sleep } from '@flash/core';
import type { ParseContext } from './connector.js';
import { ConnectorError } from './errors.js';

/**
 * What the provider API clients (`sources/<source>-api.ts`) share: the one HTTP retry loop (also used by
 * @flash/history's sink), reading a list endpoint as JSON with clear credential errors, and paging through
 * one or more lists behind a single resumable cursor.
 */

/** The provider refused the credential (401/403); the message names the variable that holds it. */
export class CredentialError extends ConnectorError {}

/** The provider answered something other than a page (another 4xx, a body that is not its list shape). */
export class ProviderApiError extends ConnectorError {}

/** A 429, 5xx or network error kept coming back after every attempt. */
export class RetriesExhaustedError extends ConnectorError {}

/** How long a 429/503 asks to wait (`Retry-After` in seconds or as an HTTP date), else undefined. */
export const retryAfterMs = (value: string | null, nowMs: number): number | undefined => {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};

export interface RetryOptions {
  /** Attempts per request for 429, 5xx and network errors before giving up. */
  attempts?: number;
  /** Backoff base when the answer names no Retry-After. */
  baseDelayMs?: number;
  /** The longest wait a Retry-After may ask for; longer asks wait this long and try again. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  /** Told before each wait, for progress output. */
  onRetry?: (retry: { attempt: number; waitMs: number; reason: string }) => void;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A URL as errors and logs may show it: without its query, which can hold a token. */
export const safeUrl = (url: string): string => {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
};

/**
 * Sends a request and answers the first response that is neither a 429 nor a 5xx; those and network errors
 * are retried after the answer's `Retry-After`, else with full-jitter backoff. Throws RetriesExhaustedError
 * when every attempt failed.
 */
export const fetchWithRetry = async (
  url: string,
  init: RequestInit,
  { attempts = 6, baseDelayMs = 500, maxWaitMs = 300_000, fetch: fetchImpl = fetch, onRetry }: RetryOptions = {},
): Promise<HttpAnswer> => {
  for (let attempt = 1; ; attempt++) {
    let asked: number | undefined;
    let reason: string;
    try {
      const response = await fetchImpl(url, init);
      const text = await response.text();
      if (response.status !== 429 && response.status < 500)
        return { status: response.status, headers: response.headers, text };
      asked = retryAfterMs(response.headers.get('retry-after'), Date.now());
      reason = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    } catch (error) {
      reason = (error as Error).message;
    }
    if (attempt >= attempts)
      throw new RetriesExhaustedError(`${safeUrl(url)} failed after ${attempts} attempts (${reason})`);
    const waitMs = Math.min(asked ?? backoffMs(attempt, baseDelayMs), maxWaitMs);
    onRetry?.({ attempt, waitMs, reason });
    await sleep(waitMs);
  }
};

/** How a client reaches its provider: base URL, credential and the variable it came from. */
export interface ApiAccess {
  base: string;
  headers: Record<string, string>;
  /** The variable holding the credential, named in 401/403 errors. */
  credentialVariable: string;
  retry?: RetryOptions;
}

/** GETs `path` with `query` from the provider and answers the JSON body; 401/403 name the credential. */
export const getJson = async (
  access: ApiAccess,
  path: string,
  query: Record<string, string | readonly string[] | undefined>,
): Promise<unknown> => {
  const url = new URL(path, access.base.endsWith('/') ? access.base : `${access.base}/`);
  for (const [name, value] of Object.entries(query))
    for (const one of typeof value === 'string' ? [value] : (value ?? [])) url.searchParams.append(name, one);
  const answer = await fetchWithRetry(
    url.toString(),
    { headers: { accept: 'application/json', ...access.headers } },
    access.retry,
  );
  const where = safeUrl(url.toString());
  if (answer.status === 401 || answer.status === 403)
    throw new CredentialError(
      `${where} answered ${answer.status}: ${access.credentialVariable} is missing, wrong or lacks read access (${answer.text.slice(0, 200)})`,
    );
  if (answer.status !== 200)
    throw new ProviderApiError(`${where} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  try {
    return JSON.parse(answer.text);
  } catch {
    throw new ProviderApiError(`${where} answered 200 with a body that is not JSON`);
  }
};

/** One page of history: its canonical events and how to get the next one. */
export interface HistoryPage {
  events: CanonicalEvent[];
  /** Provider objects read (an object of a kind the pipeline does not use counts, and maps to nothing). */
  items: number;
  /** The cursor of the next page; undefined after the last page. */
  next?: string | undefined;
  /** Objects left after this page in the list being read, when the provider says (Typeform does). */
  remaining?: number | undefined;
}

/** Reads a provider's history page by page. A cursor is opaque text the runner checkpoints. */
export interface HistoryClient {
  source: string;
  page(cursor: string | undefined): Promise<HistoryPage>;
}

export interface HistoryClientOptions {
  /** Credentials, base URLs and connector settings by variable name (the environment, or a secret). */
  env: Readonly<Record<string, string | undefined>>;
  /** Only what changed on or after this day (UTC), where the provider can filter (see each client). */
  since?: string | undefined;
  timeZone: string;
  baseCurrency: string;
  now?: () => Date;
  retry?: RetryOptions;
}

/** A source whose history can be read from its API: what it needs, and its client. */
export interface HistorySource {
  source: string;
  /** The variable holding the read credential. */
  credentialVariable: string;
  baseVariable: string;
  defaultBase: string;
  /** Further variables without which the client cannot run (Typeform's form ids). */
  alsoRequired?: readonly string[];
  client(options: HistoryClientOptions): HistoryClient;
}

/** The variables a source's backfill still needs in `env`; empty when it can run. */
export const missingSettings = (source: HistorySource, env: Readonly<Record<string, string | undefined>>): string[] =>
  [source.credentialVariable, ...(source.alsoRequired ?? [])].filter((name) => !env[name]?.trim());

/** The base URL and credential of a source, from its variables; throws naming what is missing. */
export const accessOf = (
  source: HistorySource,
  { env, retry }: HistoryClientOptions,
  headers: (credential: string) => Record<string, string>,
): ApiAccess => {
  const missing = missingSettings(source, env);
  if (missing.length > 0) throw new CredentialError(`${source.source}: set ${missing.join(' and ')}`);
  const credential = (env[source.credentialVariable] ?? '').trim();
  return {
    base: env[source.baseVariable]?.trim() || source.defaultBase,
    headers: headers(credential),
    credentialVariable: source.credentialVariable,
    ...(retry ? { retry } : {}),
  };
};

/** The context the connectors' mapping functions take, for objects read at `fetchedAt`. */
export const historyContext = (source: string, options: HistoryClientOptions, fetchedAt: Date): ParseContext => ({
  receivedAt: fetchedAt,
  deliveryId: `backfill-${source}-${fetchedAt.toISOString()}`,
  timeZone: options.timeZone,
  baseCurrency: options.baseCurrency,
  settings: options.env,
});

/** `--since` as epoch seconds (midnight UTC of that day), or undefined. */
export const sinceSeconds = (since: string | undefined): number | undefined =>
  since === undefined ? undefined : Math.floor(Date.parse(`${since}T00:00:00Z`) / 1000);

/**
 * One list a client pages through: its first state and how to read the page a state stands for. A
 * client reading several lists (Stripe's invoices then credit notes, Typeform's forms) reads them in
 * order behind one cursor.
 */
export interface HistoryList<S> {
  first: S;
  read(state: S): Promise<{ events: CanonicalEvent[]; items: number; next?: S | undefined; remaining?: number }>;
}

/** A client over lists read one after the other; its cursor is `{"list": i, "state": …}` as JSON. */
export const listsClient = (source: string, lists: readonly HistoryList<unknown>[]): HistoryClient => ({
  source,
  async page(cursor) {
    const at = cursor === undefined ? { list: 0, state: lists[0]?.first } : parseCursor(cursor, lists.length);
    const list = lists[at.list];
    if (!list) return { events: [], items: 0 };
    const page = await list.read(at.state);
    const nextList = lists[at.list + 1];
    const next =
      page.next !== undefined
        ? { list: at.list, state: page.next }
        : nextList
          ? { list: at.list + 1, state: nextList.first }
          : undefined;
    return {
      events: page.events,
      items: page.items,
      next: next && JSON.stringify(next),
      remaining: page.remaining,
    };
  },
});

const parseCursor = (cursor: string, lists: number): { list: number; state: unknown } => {
  try {
    const parsed = JSON.parse(cursor) as { list?: unknown; state?: unknown };
    if (typeof parsed.list === 'number' && Number.isInteger(parsed.list) && parsed.list >= 0 && parsed.list < lists)
      return { list: parsed.list, state: parsed.state };
  } catch {
    // reported below
  }
  throw new ProviderApiError(`checkpoint cursor ${cursor.slice(0, 100)} is not one this client wrote`);
};
