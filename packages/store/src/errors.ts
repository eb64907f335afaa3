/** Base of the store's errors; keeps the SDK error as `cause`. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** DynamoDB kept refusing (throttling, service errors) after the SDK's own retries: retry the batch later. */
export class StoreUnavailableError extends StoreError {}

/** DynamoDB refused the request itself (validation, item too large): the same request never succeeds. */
export class StoreRejectedError extends StoreError {}
