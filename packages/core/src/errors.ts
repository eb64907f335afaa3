/** Base of every error the core raises; handlers map these to 4xx, retry or dead-letter. */
export class CoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value that the domain cannot represent (an unknown currency, an impossible date, a bad period). */
export class InvalidValueError extends CoreError {}

/** A batch could not be committed because another writer changed what it read; planning again fixes it. */
export class ConflictError extends CoreError {}

/**
 * The store refused for capacity (throttling, a transaction still in progress on the same items): the same
 * writes succeed later. The engine retries it with the same backoff as a conflict.
 */
export class ThrottledError extends CoreError {}
