/** The route history clients (backfill, import) deliver canonical events to; served by the ingest function. */
export const CANONICAL_EVENTS_PATH = '/v1/events';

/**
 * A path template as API Gateway and OpenAPI write it, as a regular expression: `{name}` matches one segment,
 * a final `{name+}` (API Gateway's greedy variable) the rest, each as a named group; a final `*` matches any
 * rest, even none.
 */
export const pathPattern = (template: string): RegExp =>
  new RegExp(
    `^${template
      .replace(/[.?^$()|[\]\\]/g, '\\$&')
      .replace(/\{(\w+)\+\}$/, '(?<$1>.+)')
      .replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')
      .replace(/\*$/, '.*')}$`,
  );
