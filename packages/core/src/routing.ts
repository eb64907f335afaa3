/**
 * The bus contract: sources, detail types and the rule patterns. The CDK stack deploys these patterns and
 * the local bus routes with them, so both transports route identically.
 */
export const INGEST_SOURCE = 'flash-figures.ingest';
/** The aggregator: it announces detractor alerts once their state is applied. */
export const AGGREGATE_SOURCE = 'flash-figures.aggregate';
/** Detail-type of the aggregator's announcement; the detail is the applied detractor state as a canonical snapshot. */
export const ALERT_RAISED = 'Alert Raised';
export const ALERT_SOURCE = 'flash-figures.alerts';
/** Detail-type of the alert function's one publication per alert; the detail is the recorded alert. */
export const DETRACTOR_DETECTED = 'Detractor Detected';

export type EventPattern = { [field: string]: EventPattern | readonly PatternValue[] };
type PatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { exists: boolean }
  | { numeric: readonly (string | number)[] }
  | { 'anything-but': string | number | readonly (string | number)[] };

export const rulePatterns = {
  /** Every canonical entity event goes to the aggregator's queue. */
  aggregate: { source: [INGEST_SOURCE], 'detail-type': [{ prefix: 'entity.' }] },
  /**
   * Detractor states the aggregator applied (scored 0-6) go to the alert function. Not the ingested events:
   * a version that arrives after a newer one, or is superseded in its batch, never applies and never alerts.
   */
  detractorAlert: {
    source: [AGGREGATE_SOURCE],
    'detail-type': [ALERT_RAISED],
    detail: { deleted: [false], data: { score: [{ numeric: ['>=', 0, '<=', 6] }] } },
  },
  /** The alert function's publication goes to its Slack step, retried on its own (and to the alerts topic). */
  slackAlert: { source: [ALERT_SOURCE], 'detail-type': [DETRACTOR_DETECTED] },
} as const satisfies Record<string, EventPattern>;

export type RuleName = keyof typeof rulePatterns;

/** The envelope EventBridge delivers to targets. */
export interface BusEvent<D = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

const matchesValue = (rule: PatternValue, value: unknown, present: boolean): boolean => {
  if (rule === null || typeof rule !== 'object') return present && value === rule;
  if ('exists' in rule) return rule.exists === present;
  if (!present) return false;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
  if ('suffix' in rule) return typeof value === 'string' && value.endsWith(rule.suffix);
  if ('anything-but' in rule) {
    const excluded = Array.isArray(rule['anything-but']) ? rule['anything-but'] : [rule['anything-but']];
    return !excluded.includes(value as string | number);
  }
  if (typeof value !== 'number') return false;
  const ops = rule.numeric;
  for (let i = 0; i + 1 < ops.length; i += 2) {
    const bound = Number(ops[i + 1]);
    const ok =
      ops[i] === '<'
        ? value < bound
        : ops[i] === '<='
          ? value <= bound
          : ops[i] === '>'
            ? value > bound
            : ops[i] === '>='
              ? value >= bound
              : ops[i] === '='
                ? value === bound
                : false;
    if (!ok) return false;
  }
  return true;
};

/** EventBridge content filtering for the operators the project uses (exact, prefix, suffix, numeric, exists, anything-but). */
export const matchesPattern = (pattern: EventPattern, event: unknown): boolean => {
  const record = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    const present = Object.hasOwn(record, field) && record[field] !== undefined;
    const value = record[field];
    if (!Array.isArray(rule))
      return present && typeof value === 'object' && matchesPattern(rule as EventPattern, value);
    // An array value in the event matches when any of its elements does, as in EventBridge.
    const candidates = Array.isArray(value) ? value : [value];
    return (rule as readonly PatternValue[]).some((r) => candidates.some((v) => matchesValue(r, v, present)));
  });
};
