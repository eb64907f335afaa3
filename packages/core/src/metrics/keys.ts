import type { Day, Month } from '../period.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what keyPart escapes
const KEY_SYNTAX = /[%|#=:/\x00-\x1f\x7f]/g;

/**
 * Every value from outside (an id, an owner, a label) that enters an aggregate key, a rollup key or a field
 * name goes through `keyPart` first. It escapes, as `%XX`, the characters that give keys and field names
 * their structure (`|` partition and member, `#` and `=` parts, `:` currencies, `/`, `%` itself) and control
 * characters, and leaves everything else as it is. Being injective, no two distinct values share a key, and
 * a value of the schema's 256 characters stays under 800 bytes, within DynamoDB's 1,024-byte sort keys.
 */
export const keyPart = (value: string): string =>
  value.replace(KEY_SYNTAX, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** The value `keyPart` escaped. */
export const fromKeyPart = (part: string): string => decodeURIComponent(part);

const ownerSuffix = (owner?: string | null) => (owner ? `#owner=${keyPart(owner)}` : '');

/**
 * Aggregate and rollup keys. Rollup keys start with `@` and are second-level nodes (see model.ts);
 * everything else is a plain aggregate the query API reads. A key `partition|member` is one item of a
 * partition that is read whole (see the store); labels always live in such partitions, one item per label,
 * so that no item grows with the number of labels.
 */
export const keys = {
  nps: (month: Month) => `${series.nps}|${month}`,
  billing: (month: Month) => `${series.billing}|${month}`,
  /** Billing and the costs that count toward margin, of a month; a year's margin is the sum of its months. */
  margin: (month: Month) => `${series.margin}|${month}`,
  /** Pipeline flow of a month (created, won, lost), in total or for one owner. */
  pipeline: (month: Month, owner?: string | null) => `${series.pipeline(owner)}|${month}`,
  /** The same contributions as the month's NPS, billing and pipeline flow (in total), at day resolution. */
  npsDay: (day: Day) => `${series.npsDay}|${day}`,
  billingDay: (day: Day) => `${series.billingDay}|${day}`,
  pipelineDay: (day: Day) => `${series.pipelineDay}|${day}`,
  /** Open pipeline as of now, in total or for one owner. */
  openPipeline: (owner?: string | null) => `pipeline-open${ownerSuffix(owner)}`,
  customers: 'customers',
  /** One member per customer: what the customer contributed in a month, joined with its labels at query time. */
  byCustomer: (month: Month, customerId: string) => `${partitions.byCustomer(month)}|${keyPart(customerId)}`,
  /** One member per customer: its open pipeline now. */
  customerFacts: (customerId: string) => `${partitions.customerFacts}|${keyPart(customerId)}`,
  /** Direct contributions to a month's breakdowns (entities that carry a segment, channel or owner), per label. */
  segmentLabel: (month: Month, dimension: string, label: string | null) =>
    `${partitions.segments(month)}|${labelMember(dimension, label)}`,
  /** Pipeline flow of a month per deal source (created, won) and lost reason, in total or for one owner. */
  pipelineLabel: (month: Month, owner: string | null | undefined, dimension: string, label: string | null) =>
    `${partitions.pipelineLabels(month, owner)}|${labelMember(dimension, label)}`,
  /** Open pipeline per stage of a source's pipeline, in total or for one owner. */
  openStage: (owner: string | null | undefined, source: string, stage: string | null) =>
    `${partitions.openStages(owner)}|${stageMember(source, stage)}`,
  /** Spend and new customers of a month (acquisition.ts). */
  acquisition: (month: Month) => `${series.acquisition}|${month}`,
  /** Spend and new customers of a month per channel, new customers per segment. */
  acquisitionLabel: (month: Month, dimension: 'channel' | 'segment', label: string | null) =>
    `${partitions.acquisitionLabels(month)}|${labelMember(dimension, label)}`,
  /**
   * Per stage of a source's pipeline, over every deal: stays (count, seconds), lost deals lost at it, closed deals
   * that reached it. A stage is its source and id (`stageMember`), as for the open pipeline per stage.
   */
  stageTimes: (source: string, stage: string | null) => `${partitions.stageTimes}|${stageMember(source, stage)}`,
  /**
   * Stays of a stage counted per whole hour (field `h:{hours}`), one member per stage and day of duration so
   * that no item holds more than 24 fields (metrics/stages.ts).
   */
  stageHours: (source: string, stage: string, hours: number) =>
    `${partitions.stageHours}|${stageMember(source, stage)}#${Math.floor(hours / 24)}`,
  /** Open deals per expected close month (`none` without one) and stage, in total or for one owner. */
  forecastOpen: (owner: string | null | undefined, month: Month | null, source: string, stage: string | null) =>
    `${partitions.forecastOpen(owner)}|${month ?? NO_CLOSE_MONTH}#${stageMember(source, stage)}`,
  customerRollup: (customerId: string) => `${CUSTOMER_ROLLUP}${keyPart(customerId)}`,
  projectRollup: (projectId: string) => `${PROJECT_ROLLUP}${keyPart(projectId)}`,
  invoiceRollup: (source: string, invoiceId: string) => `${INVOICE_ROLLUP}${source}#${keyPart(invoiceId)}`,
} as const;

/**
 * Figure families kept per period: one partition per family, one member per month (`nps|2026-11`, stored as
 * partition `nps`, sort key `2026-11`) or local day (`nps-day|2026-11-05`), so one range
 * query over the sort key reads any span of periods (docs/architecture.md, "Series"). Months, years and days
 * sort as their strings; a family never mixes two resolutions, so a month range never meets a day.
 */
export const series = {
  nps: 'nps',
  billing: 'billing',
  margin: 'margin',
  pipeline: (owner?: string | null) => `pipeline${ownerSuffix(owner)}`,
  npsDay: 'nps-day',
  billingDay: 'billing-day',
  pipelineDay: 'pipeline-day',
  acquisition: 'acquisition',
} as const;

/** The partitions that `partition|member` keys belong to, as the query side lists them. */
export const partitions = {
  byCustomer: (month: Month) => `bycust#${month}`,
  customerFacts: 'customer',
  segments: (month: Month) => `segments#${month}`,
  pipelineLabels: (month: Month, owner?: string | null) => `pipeline-labels#${month}${ownerSuffix(owner)}`,
  openStages: (owner?: string | null) => `pipeline-stages${ownerSuffix(owner)}`,
  acquisitionLabels: (month: Month) => `acquisition-labels#${month}`,
  stageTimes: 'stage-times',
  stageHours: 'stage-hours',
  forecastOpen: (owner?: string | null) => `forecast-open${ownerSuffix(owner)}`,
} as const;

/** The month member of open deals without an expected close date (`keys.forecastOpen`). */
export const NO_CLOSE_MONTH = 'none';

/** The ordered lists entity states and alerts appear in (the store's list index). */
export const lists = {
  /** Detractor answers of a month, by submission instant. */
  detractors: (month: Month) => `detractors#${month}`,
  /** Open deals by expected close date. */
  openDeals: 'open-deals',
  /** One owner's activities not done, by due instant (no due date: last). */
  plannedActivities: (owner: string) => `activities-planned${ownerSuffix(owner)}`,
  /** One owner's activities done, by the instant they were done. */
  doneActivities: (owner: string) => `activities-done${ownerSuffix(owner)}`,
  /** Stages learnt from the providers' APIs, by source and id. */
  stages: 'stages',
  /** Detractor alerts by the time they were raised. */
  alerts: 'alerts',
} as const;

export const CUSTOMER_ROLLUP = '@customer#';
export const PROJECT_ROLLUP = '@project#';
export const INVOICE_ROLLUP = '@invoice#';

/** Per-currency fields are `name:CUR` (and `name:YYYY:CUR` for yearly sums inside rollups). */
export const currencyField = (name: string, currency: string) => `${name}:${currency}`;

/** Splits `{ 'amount:EUR': 1, 'amount:USD': 2, other: 3 }` into `{ EUR: 1, USD: 2 }` for one name. */
export const byCurrency = (values: Record<string, number>, name: string): Record<string, number> => {
  const out: Record<string, number> = {};
  const prefix = `${name}:`;
  for (const [field, amount] of Object.entries(values)) {
    if (field.startsWith(prefix) && /^[A-Z]{3}$/.test(field.slice(prefix.length)))
      out[field.slice(prefix.length)] = amount;
  }
  return out;
};

/** The member of a label item: `dimension=label`; the empty label means "none". */
export const labelMember = (dimension: string, label: string | null | undefined) =>
  `${dimension}=${keyPart(label ?? '')}`;

/** A member `dimension=label` back as its parts, or undefined for another shape. */
export const parseLabelMember = (member: string): { dimension: string; label: string } | undefined => {
  const equals = member.indexOf('=');
  if (equals < 0) return undefined;
  return { dimension: member.slice(0, equals), label: fromKeyPart(member.slice(equals + 1)) };
};

/**
 * The member of a stage's item: `stage=pipedrive:4`. A stage id means something only in its source's pipeline
 * (Pipedrive's 4 is not HubSpot's), so the source is part of it; sources are `[a-z0-9_-]`, never `:`.
 */
export const stageMember = (source: string, stage: string | null | undefined) =>
  `stage=${source}:${keyPart(stage ?? '')}`;

/** A stage: its source and its id in that source's pipeline ('' for none). */
export interface StageRef {
  source: string;
  stage: string;
}

/** A stage member back as its source and stage id, or undefined for another shape. */
export const parseStageMember = (member: string): StageRef | undefined => {
  const match = /^stage=([a-z][a-z0-9_-]*):(.*)$/s.exec(member);
  return match ? { source: match[1] as string, stage: fromKeyPart(match[2] as string) } : undefined;
};

/** Stages in table order: by source, then stage id. */
export const byStage = (a: StageRef, b: StageRef): number =>
  a.source !== b.source ? (a.source < b.source ? -1 : 1) : a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0;

/**
 * The label items of one dimension, as read from a partition (member → values), regrouped label → values;
 * several partitions (months) may be passed and are summed.
 */
export const byLabel = (
  members: Iterable<readonly [string, Record<string, number>]>,
  dimension: string,
): Map<string, Record<string, number>> => {
  const out = new Map<string, Record<string, number>>();
  for (const [member, values] of members) {
    const parsed = parseLabelMember(member);
    if (parsed?.dimension !== dimension) continue;
    const sum = out.get(parsed.label) ?? {};
    for (const [metric, amount] of Object.entries(values)) sum[metric] = (sum[metric] ?? 0) + amount;
    out.set(parsed.label, sum);
  }
  return out;
};
