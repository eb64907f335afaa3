import type { Connector } from './connector.js';
import { delighted } from './sources/delighted.js';
import { generic } from './sources/generic.js';
import { hubspot } from './sources/hubspot.js';
import { pipedrive } from './sources/pipedrive.js';
import { stripe } from './sources/stripe.js';
import { typeform } from './sources/typeform.js';

/** Every source the ingress accepts, by the `{source}` path segment of `POST /webhooks/{source}`. */
export const connectors: Readonly<Record<string, Connector>> = Object.fromEntries(
  [stripe, hubspot, pipedrive, typeform, delighted, generic].map((c) => [c.source, c]),
);

export const connectorFor = (source: string): Connector | undefined =>
  Object.hasOwn(connectors, source) ? connectors[source] : undefined;
