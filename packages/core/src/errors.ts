/**
 * The error vocabulary every layer speaks. Adapters (the store, the bus) translate what their SDK throws into
 * these, so a handler decides with one `instanceof`: a RetryableError is retried (the same call succeeds
 * later), a RejectedError or an InvalidValueError never will (a 4xx at the edge, a dead letter behind it).
 */

/** Base of every error the core raises; handlers map these to 4xx, retry or dead-letter. */
export class CoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value that the domain cannot represent (an unknown currency, an impossible date, a bad period). */
export class InvalidValueError extends CoreError {}

/** Goes away by itself: the same call, made again later, succeeds. */
export class RetryableError extends CoreError {}

/** A batch could not be committed because another writer changed what it read; planning again fixes it. */
export class ConflictError extends RetryableError {}

/**
 * The store refused for capacity (throttling, a transaction still in progress on the same items): the same
 * writes succeed later. The engine retries it with the same backoff as a conflict.
 */
export class ThrottledError extends RetryableError {}

/** A dependency (the store, the bus) did not answer or kept failing after its own retries: retry later. */
export class UnavailableError extends RetryableError {}

/** A dependency refused the request itself (validation, an item too large): the same request never succeeds. */
export class RejectedError extends CoreError {}
