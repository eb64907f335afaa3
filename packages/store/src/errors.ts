import { RejectedError, UnavailableError } from '@flash/core';

/** DynamoDB kept refusing (throttling, service errors) after the SDK's own retries: retry the batch later. */
export class StoreUnavailableError extends UnavailableError {}

/** DynamoDB refused the request itself (validation, item too large): the same request never succeeds. */
export class StoreRejectedError extends RejectedError {}

/** A stored item does not have the shape its adapter writes: reading it again cannot help. */
export class MalformedItemError extends RejectedError {}
