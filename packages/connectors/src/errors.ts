import { CoreError } from '@flash/core';

/** Base of every connector error. The ingest handler maps subclasses to HTTP answers. */
export class ConnectorError extends CoreError {}

/** Missing or wrong signature, or a timestamp outside the replay window: 401. */
export class SignatureError extends ConnectorError {}

/** A body that is not what the source sends; the message names what is wrong and where: 400. */
export class PayloadError extends ConnectorError {}
