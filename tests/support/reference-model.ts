/**
 * The reference model: the figures of a month computed the naive way, straight from the metric definitions
 * (docs/metrics.md; the product contract's sections 3 and 3a), over the final state of every entity.
 *
 * It shares nothing with packages/core's metrics or engine: no contributions, no deltas, no rollups, no
 * aggregate keys. Every figure is a filter and a sum over plain lists, so that a reader can check it against
 * the definition quoted above it. Money stays in integer minor units until the very end.
 *
 * Input: the final state of each entity, already chosen by the provider's ordering rules (see
 * seam-world.ts). A deleted entity is simply absent: "voided, draft and deleted invoices count nothing", and
 * the same holds for every other kind.
 */

export interface Context {
  timeZone: string;
  baseCurrency: string;
}

/** Per currency, in minor units. */
export type Money = Record<string, number>;

export interface RefCustomer {
  id: string;
  /** Shown beside the customer's id wherever it appears. */
  name: string | null;
  internal: boolean;
  segment: string | null;
  channel: string | null;
}

export interface RefProject {
  id: string;
  customerId: string | null;
  status: 'open' | 'closed';
  internal: boolean;
}

export interface RefInvoice {
  /** `source#id`: the credit notes of a source refer to its invoices. */
  key: string;
  source: 'stripe' | 'generic';
  /** The provider's own status: Stripe draft/open/paid/uncollectible/void, generic draft/sent/void. */
  status: string;
  number: string | null;
  customerId: string | null;
  /** A timestamp, or a plain date (a local date in the metrics time zone); null before it is issued. */
  date: string | null;
  total: number;
  currency: string;
}

export interface RefCreditNote {
  key: string;
  /** The `source#id` of the invoice it credits. */
  invoiceKey: string | null;
  /** The customer the credit note names itself (Stripe's `customer`). */
  customerId: string | null;
  status: 'issued' | 'void';
  date: string;
  total: number;
  currency: string;
}

export interface RefCost {
  key: string;
  projectId: string | null;
  date: string;
  amount: number;
  currency: string;
}

export interface RefDeal {
  key: string;
  customerId: string | null;
  ownerId: string | null;
  status: 'open' | 'won' | 'lost';
  amount: number | null;
  currency: string | null;
  createdAt: string | null;
  closedAt: string | null;
  /**
   * Every stage the deal's source reported, in the source's order (HubSpot: each `dealstage` change by its
   * occurredAt; Pipedrive: each state by update_time then meta.timestamp; generic: each version), with when
   * (ms) and whether the deal was open then.
   */
  stages: { at: number; stage: string; open: boolean }[];
}

export interface RefResponse {
  source: string;
  id: string;
  score: number;
  submittedAt: string;
  customerId: string | null;
  comment: string | null;
  email: string | null;
  segment: string | null;
  channel: string | null;
}

export interface RefSpend {
  key: string;
  date: string;
  amount: number;
  currency: string;
  channel: string | null;
  campaign: string | null;
}

export interface Business {
  customers: RefCustomer[];
  projects: RefProject[];
  invoices: RefInvoice[];
  creditNotes: RefCreditNote[];
  costs: RefCost[];
  deals: RefDeal[];
  responses: RefResponse[];
  spends: RefSpend[];
}

/** A ratio the API shows rounded to `decimals`: any correct rounding of `exact` is accepted. */
export class Rounded {
  constructor(
    readonly exact: number,
    readonly decimals: number,
  ) {}
}
const rounded = (exact: number | null, decimals: number): Rounded | null =>
  exact === null ? null : new Rounded(exact, decimals);

// ---------------------------------------------------------------------------------------------------------
// Calendar and money

const MINOR_DIGITS: Record<string, number> = { EUR: 2, USD: 2, GBP: 2, SEK: 2, NOK: 2, JPY: 0 };

export const minorDigits = (currency: string): number => {
  const digits = MINOR_DIGITS[currency];
  if (digits === undefined) throw new Error(`reference model: no minor digits for ${currency}`);
  return digits;
};

/** Major units (as a provider sends them) to minor units. */
export const toMinorUnits = (major: number, currency: string): number =>
  Math.round(major * 10 ** minorDigits(currency));

/** "Money is exact (integer minor units inside), reported in major units rounded to 2 decimals." */
const major = (minor: number, currency: string): number => minor / 10 ** minorDigits(currency);

const add = (money: Money, currency: string, amount: number) => {
  money[currency] = (money[currency] ?? 0) + amount;
};

/**
 * "Periods are calendar months and years in METRICS_TIMEZONE"; "dates without a time are local dates in
 * METRICS_TIMEZONE". The month a date or a timestamp falls in.
 */
export const monthOf = (date: string, timeZone: string): string => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return date.slice(0, 7);
  const instant = new Date(date);
  if (Number.isNaN(instant.getTime())) throw new Error(`reference model: "${date}" is not a date`);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(
    instant,
  );
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}`;
};

const yearOf = (date: string, timeZone: string): string => monthOf(date, timeZone).slice(0, 4);

const previousMonth = (month: string): string => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`;
};

// ---------------------------------------------------------------------------------------------------------
// Which entity counts

/**
 * "Invoices that are issued (Stripe: finalized, i.e. status open, paid or uncollectible; generic: status
 * `sent` with a number)."
 */
export const isIssued = (invoice: RefInvoice): boolean =>
  invoice.source === 'stripe'
    ? ['open', 'paid', 'uncollectible'].includes(invoice.status)
    : invoice.status === 'sent' && Boolean(invoice.number);

/** "A credit note's customer: from its invoice's customer, or `customer`." */
const creditNoteCustomer = (b: Business, note: RefCreditNote): string | null => {
  const invoice = b.invoices.find((i) => i.key === note.invoiceKey);
  return invoice ? invoice.customerId : note.customerId;
};

/**
 * Billing over some dates: "invoices that are issued whose invoice date falls in [the period]. Voided, draft
 * and deleted invoices count nothing. Credit notes subtract their total in the [period] of their own date
 * unless voided." Returns each counted amount with the customer it belongs to.
 */
const billed = (b: Business, inPeriod: (date: string) => boolean) => [
  ...b.invoices
    .filter((i) => isIssued(i) && i.date !== null && inPeriod(i.date))
    .map((i) => ({ customerId: i.customerId, currency: i.currency, amount: i.total, invoices: 1 })),
  ...b.creditNotes
    .filter((n) => n.status !== 'void' && inPeriod(n.date))
    .map((n) => ({ customerId: creditNoteCustomer(b, n), currency: n.currency, amount: -n.total, invoices: 0 })),
];

const sumBilled = (lines: ReturnType<typeof billed>): Money => {
  const out: Money = {};
  for (const line of lines) add(out, line.currency, line.amount);
  return out;
};

const customerById = (b: Business, id: string | null) => (id ? b.customers.find((c) => c.id === id) : undefined);

/** "[A customer] is internal only when a customer event says so." */
const isInternalCustomer = (b: Business, id: string | null): boolean => customerById(b, id)?.internal ?? false;

/**
 * "Costs dated in the year, leaving out costs of internal projects"; "cost of a project counts toward
 * margin unless that project is internal (or belongs to an internal customer)".
 */
const costCounts = (b: Business, cost: RefCost): boolean => {
  const project = b.projects.find((p) => p.id === cost.projectId);
  if (!project) return true;
  return !project.internal && !isInternalCustomer(b, project.customerId);
};

// ---------------------------------------------------------------------------------------------------------
// Figures

export interface NpsFigure {
  score: Rounded | null;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
}

/**
 * "NPS of a period: survey responses submitted in it, latest state of each response counts once. Promoters
 * score 9-10, passives 7-8, detractors 0-6. score = 100 * (promoters - detractors) / responses, one decimal;
 * null when there are no responses."
 */
export const npsOf = (responses: readonly RefResponse[]): NpsFigure => {
  const promoters = responses.filter((r) => r.score >= 9).length;
  const passives = responses.filter((r) => r.score === 7 || r.score === 8).length;
  const detractors = responses.filter((r) => r.score <= 6).length;
  const n = responses.length;
  return {
    score: rounded(n === 0 ? null : (100 * (promoters - detractors)) / n, 1),
    promoters,
    passives,
    detractors,
    responses: n,
  };
};

const responsesIn = (b: Business, month: string, ctx: Context) =>
  b.responses.filter((r) => monthOf(r.submittedAt, ctx.timeZone) === month);

/** Other currencies "reported per currency beside the headline", never converted; all-zero ones left out. */
const otherCurrencies = (ctx: Context, named: Record<string, Money>): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {};
  const currencies = new Set(Object.values(named).flatMap((m) => Object.keys(m)));
  for (const currency of currencies) {
    if (currency === ctx.baseCurrency) continue;
    const figures = Object.fromEntries(
      Object.entries(named).map(([name, m]) => [name, major(m[currency] ?? 0, currency)]),
    );
    if (Object.values(figures).some((v) => v !== 0)) out[currency] = figures;
  }
  return out;
};

/**
 * "Billing of a month [...]. changePct = 100 * (this - last) / last, one decimal, null when last month is 0."
 */
export const billingFigure = (b: Business, month: string, ctx: Context) => {
  const base = ctx.baseCurrency;
  const thisMonth = sumBilled(billed(b, (d) => monthOf(d, ctx.timeZone) === month));
  const lastMonth = sumBilled(billed(b, (d) => monthOf(d, ctx.timeZone) === previousMonth(month)));
  const thisBase = thisMonth[base] ?? 0;
  const lastBase = lastMonth[base] ?? 0;
  return {
    thisMonth: major(thisBase, base),
    lastMonth: major(lastBase, base),
    changePct: rounded(lastBase === 0 ? null : (100 * (thisBase - lastBase)) / lastBase, 1),
    otherCurrencies: otherCurrencies(ctx, { thisMonth, lastMonth }),
  };
};

/** Billing minus the costs that count, of the dates a predicate takes, in the base currency and beside it. */
const marginOf = (b: Business, inSpan: (date: string) => boolean, ctx: Context) => {
  const base = ctx.baseCurrency;
  const billing = sumBilled(billed(b, inSpan));
  const cost: Money = {};
  for (const c of b.costs) if (inSpan(c.date) && costCounts(b, c)) add(cost, c.currency, c.amount);
  const margin: Money = {};
  for (const currency of new Set([...Object.keys(billing), ...Object.keys(cost)]))
    margin[currency] = (billing[currency] ?? 0) - (cost[currency] ?? 0);
  const billingBase = billing[base] ?? 0;
  return {
    figures: {
      billing: major(billingBase, base),
      cost: major(cost[base] ?? 0, base),
      margin: major(margin[base] ?? 0, base),
      marginPct: rounded(billingBase === 0 ? null : (100 * (margin[base] ?? 0)) / billingBase, 1),
    },
    otherCurrencies: otherCurrencies(ctx, { billing, cost, margin }),
  };
};

/**
 * "Margin of a year: billing of the year minus costs dated in the year, leaving out costs of internal
 * projects. marginPct = 100 * margin / billing, one decimal." For a month, beside it (issue 15), the same of
 * the month alone and of January to the month's end.
 */
export const marginFigure = (b: Business, year: string, ctx: Context, month?: string) => {
  const whole = marginOf(b, (d) => yearOf(d, ctx.timeZone) === year, ctx);
  return {
    year: Number(year),
    ...whole.figures,
    otherCurrencies: whole.otherCurrencies,
    thisMonth: month ? marginOf(b, (d) => monthOf(d, ctx.timeZone) === month, ctx).figures : null,
    yearToMonth: month
      ? marginOf(b, (d) => yearOf(d, ctx.timeZone) === year && monthOf(d, ctx.timeZone) <= month, ctx).figures
      : null,
  };
};

/** "A customer is any customer id that an entity refers to." */
const customerIds = (b: Business): Set<string> => {
  const ids = [
    ...b.customers.map((c) => c.id),
    ...b.projects.map((p) => p.customerId),
    ...b.invoices.map((i) => i.customerId),
    ...b.creditNotes.map((n) => creditNoteCustomer(b, n)),
    ...b.deals.map((d) => d.customerId),
    ...b.responses.map((r) => r.customerId),
  ];
  return new Set(ids.filter((id): id is string => Boolean(id)));
};

/** "Active customers (now): customers that are not internal and have at least one open deal or open project." */
export const activeCustomers = (b: Business): number =>
  [...customerIds(b)].filter(
    (id) =>
      !isInternalCustomer(b, id) &&
      (b.deals.some((d) => d.customerId === id && d.status === 'open') ||
        b.projects.some((p) => p.customerId === id && p.status === 'open')),
  ).length;

/** "Prospects in pipeline (now): customers with an open deal, no issued invoice, no won deal and no project." */
export const prospectsInPipeline = (b: Business): number =>
  [...customerIds(b)].filter(
    (id) =>
      b.deals.some((d) => d.customerId === id && d.status === 'open') &&
      !b.invoices.some((i) => i.customerId === id && isIssued(i)) &&
      !b.deals.some((d) => d.customerId === id && d.status === 'won') &&
      !b.projects.some((p) => p.customerId === id),
  ).length;

export interface PipelineFigure {
  created: number;
  won: number;
  lost: number;
  wonValue: number;
  openCount: number;
  openValue: number;
  hitRate: Rounded | null;
  avgDealSize: Rounded | null;
  leadTimeDays: Rounded | null;
  otherCurrencies: Record<string, Record<string, number>>;
}

/**
 * "Pipeline of a month: deals created in it, deals won/lost with a close date in it, value won; open figures
 * are as of now. Hit rate won / (won + lost); average deal size won value / won; lead time the mean days from
 * creation to close of won deals." For one owner: the same over that owner's deals. Values are in the base
 * currency (other currencies beside it), so the average deal size is the base-currency value won over the
 * base-currency deals won.
 */
export const pipelineFigure = (b: Business, month: string, ctx: Context, owner?: string): PipelineFigure => {
  const base = ctx.baseCurrency;
  const deals = b.deals.filter((d) => owner === undefined || d.ownerId === owner);
  const closedIn = (status: 'won' | 'lost') =>
    deals.filter((d) => d.status === status && d.closedAt !== null && monthOf(d.closedAt, ctx.timeZone) === month);
  const won = closedIn('won');
  const lost = closedIn('lost');
  const open = deals.filter((d) => d.status === 'open');
  const wonValue: Money = {};
  for (const d of won) if (d.amount !== null && d.currency) add(wonValue, d.currency, d.amount);
  const openValue: Money = {};
  for (const d of open) if (d.amount !== null && d.currency) add(openValue, d.currency, d.amount);
  const wonInBase = won.filter((d) => d.amount !== null && d.currency === base).length;
  const leadDays = won
    .filter((d) => d.createdAt !== null)
    .map((d) => (Date.parse(d.closedAt ?? '') - Date.parse(d.createdAt ?? '')) / 86_400_000);
  return {
    created: deals.filter((d) => d.createdAt !== null && monthOf(d.createdAt, ctx.timeZone) === month).length,
    won: won.length,
    lost: lost.length,
    wonValue: major(wonValue[base] ?? 0, base),
    openCount: open.length,
    openValue: major(openValue[base] ?? 0, base),
    hitRate: rounded(won.length + lost.length === 0 ? null : won.length / (won.length + lost.length), 3),
    avgDealSize: rounded(wonInBase === 0 ? null : major(wonValue[base] ?? 0, base) / wonInBase, 2),
    leadTimeDays: rounded(leadDays.length === 0 ? null : leadDays.reduce((s, d) => s + d, 0) / leadDays.length, 1),
    otherCurrencies: otherCurrencies(ctx, { wonValue, openValue }),
  };
};

/**
 * "New customers of a month: customers whose first sale falls in it, a sale being a won deal (in the month of
 * its close date) or an issued invoice (in the month of its invoice date), whichever is first. Internal
 * customers are never new."
 */
export const newCustomerIds = (b: Business, month: string, ctx: Context): string[] => {
  const sales = [
    ...b.deals.filter((d) => d.status === 'won').map((d) => ({ customerId: d.customerId, date: d.closedAt })),
    ...b.invoices.filter(isIssued).map((i) => ({ customerId: i.customerId, date: i.date })),
  ];
  const first = new Map<string, string>();
  for (const { customerId, date } of sales) {
    if (customerId === null || date === null) continue;
    const m = monthOf(date, ctx.timeZone);
    const known = first.get(customerId);
    if (known === undefined || m < known) first.set(customerId, m);
  }
  return [...first].filter(([id, m]) => m === month && !isInternalCustomer(b, id)).map(([id]) => id);
};

/**
 * "Spend of a month: spend events dated in it. CAC = spend ÷ new customers, null without new customers; per
 * channel, the channel's spend (its `channel`, else its `campaign`) ÷ the new customers whose customer
 * `channel` it is. Each other currency's spend gives its own part of the CAC, never converted."
 */
export const acquisitionFigure = (b: Business, month: string, ctx: Context, channel?: string | null) => {
  const base = ctx.baseCurrency;
  const spend: Money = {};
  for (const x of b.spends)
    if (monthOf(x.date, ctx.timeZone) === month && (channel === undefined || (x.channel ?? x.campaign) === channel))
      add(spend, x.currency, x.amount);
  const newCustomers = newCustomerIds(b, month, ctx).filter(
    (id) => channel === undefined || (customerById(b, id)?.channel ?? null) === channel,
  ).length;
  const cac = (currency: string) =>
    rounded(newCustomers === 0 ? null : major(spend[currency] ?? 0, currency) / newCustomers, 2);
  return {
    newCustomers,
    spend: major(spend[base] ?? 0, base),
    cac: cac(base),
    otherCurrencies: Object.fromEntries(
      Object.keys(spend)
        .filter((c) => c !== base && spend[c] !== 0)
        .map((c) => [c, { spend: major(spend[c] ?? 0, c), cac: cac(c) }]),
    ),
  };
};

/** Won deals closed in the month. */
const wonIn = (b: Business, month: string, ctx: Context) =>
  b.deals.filter((d) => d.status === 'won' && d.closedAt !== null && monthOf(d.closedAt, ctx.timeZone) === month);

export interface SegmentRow {
  label: string | null;
  nps: NpsFigure;
  billing: number;
  invoices: number;
  avgBasket: Rounded | null;
  won: number;
  wonValue: number;
  otherCurrencies: Record<string, Record<string, number>>;
}

export type Dimension = 'segment' | 'channel';

/**
 * The month by customer segment (or sales channel): NPS, billing (with its invoice count and average
 * basket, billing per invoice) and won value, each under the label of the customer it belongs to; a survey
 * response that carries its own label counts under that label. A credit note belongs to its invoice's
 * customer. The labels sum to the month's totals; `null` is "no label".
 */
export const segmentBreakdown = (b: Business, month: string, ctx: Context, by: Dimension): SegmentRow[] => {
  const base = ctx.baseCurrency;
  const labelOf = (customerId: string | null) => customerById(b, customerId)?.[by] ?? null;
  const rows = new Map<
    string | null,
    { responses: RefResponse[]; billing: Money; invoices: Money; won: number; wonValue: Money }
  >();
  const row = (label: string | null) => {
    let r = rows.get(label);
    if (!r) {
      r = { responses: [], billing: {}, invoices: {}, won: 0, wonValue: {} };
      rows.set(label, r);
    }
    return r;
  };
  for (const r of responsesIn(b, month, ctx)) row(r[by] ?? labelOf(r.customerId)).responses.push(r);
  for (const line of billed(b, (d) => monthOf(d, ctx.timeZone) === month)) {
    const r = row(labelOf(line.customerId));
    add(r.billing, line.currency, line.amount);
    add(r.invoices, line.currency, line.invoices);
  }
  for (const d of wonIn(b, month, ctx)) {
    const r = row(labelOf(d.customerId));
    r.won += 1;
    if (d.amount !== null && d.currency) add(r.wonValue, d.currency, d.amount);
  }
  return [...rows].map(([label, r]) => {
    const invoices = r.invoices[base] ?? 0;
    return {
      label,
      nps: npsOf(r.responses),
      billing: major(r.billing[base] ?? 0, base),
      invoices,
      avgBasket: rounded(invoices === 0 ? null : major(r.billing[base] ?? 0, base) / invoices, 2),
      won: r.won,
      wonValue: major(r.wonValue[base] ?? 0, base),
      otherCurrencies: otherCurrencies(ctx, { billing: r.billing, wonValue: r.wonValue }),
    };
  });
};

/** The breakdown's total: the whole month, which the labels must sum to. */
export const segmentTotal = (b: Business, month: string, ctx: Context): SegmentRow => {
  const base = ctx.baseCurrency;
  const lines = billed(b, (d) => monthOf(d, ctx.timeZone) === month);
  const billing = sumBilled(lines);
  const invoices = lines.filter((l) => l.currency === base).reduce((n, l) => n + l.invoices, 0);
  const won = wonIn(b, month, ctx);
  const wonValue: Money = {};
  for (const d of won) if (d.amount !== null && d.currency) add(wonValue, d.currency, d.amount);
  return {
    label: 'total',
    nps: npsOf(responsesIn(b, month, ctx)),
    billing: major(billing[base] ?? 0, base),
    invoices,
    avgBasket: rounded(invoices === 0 ? null : major(billing[base] ?? 0, base) / invoices, 2),
    won: won.length,
    wonValue: major(wonValue[base] ?? 0, base),
    otherCurrencies: otherCurrencies(ctx, { billing, wonValue }),
  };
};

export interface Detractor {
  source: string;
  id: string;
  score: number;
  comment: string | null;
  contact: string | null;
  customerId: string | null;
  /** The customer's name as its newest customer event gives it (issue 15: names beside ids). */
  customerName: string | null;
  submittedAt: string;
}

/** "Detractor responses of the period, newest first, with score, comment, contact and customer." */
export const detractorsOf = (b: Business, month: string, ctx: Context): Detractor[] =>
  responsesIn(b, month, ctx)
    .filter((r) => r.score <= 6)
    .sort((x, y) => Date.parse(y.submittedAt) - Date.parse(x.submittedAt))
    .map((r) => ({
      source: r.source,
      id: r.id,
      score: r.score,
      comment: r.comment,
      contact: r.email,
      customerId: r.customerId,
      customerName: customerById(b, r.customerId)?.name ?? null,
      submittedAt: r.submittedAt,
    }));

// ---------------------------------------------------------------------------------------------------------
// Time in stage (docs/metrics.md, "Time in stage")

export interface StageRow {
  source: string;
  stage: string;
  stays: number;
  meanDays: Rounded | null;
  medianDays: Rounded | null;
  lost: number;
  closedReached: number;
  wonReached: number;
  learntProbability: Rounded | null;
}

/**
 * "A stay: consecutive observations of one stage, entered at the first of them; it ends at the next stage
 * observed, or at an observation in the same stage that shows the deal closed; a stay that starts closed is
 * none. Mean over seconds, median over whole hours. A lost deal counts at the stage it was last seen open in.
 * A closed deal reached every stage it was seen open in; learnt probability = won / closed that reached it."
 * "A stage is its source's stage id": each source's stages are counted apart, even where ids coincide.
 */
export const stageTable = (b: Business): { stages: StageRow[]; lostWithoutStage: number } => {
  // By `source stage` (a space never starts a source's name), so a stage id shared by two sources is two stages.
  const stays = new Map<string, number[]>();
  const lost = new Map<string, number>();
  const reached = new Map<string, { closed: number; won: number }>();
  let lostWithoutStage = 0;
  for (const deal of b.deals) {
    const source = deal.key.slice(0, deal.key.indexOf('#'));
    const seen = deal.stages.map((o) => ({ ...o, stage: `${source} ${o.stage}` }));
    for (let i = 0; i < seen.length; i++) {
      const first = seen[i] as (typeof seen)[number];
      const previous = seen[i - 1];
      if (previous && previous.stage === first.stage) continue;
      if (!first.open) continue;
      let end: number | undefined;
      for (let j = i + 1; j < seen.length; j++) {
        const later = seen[j] as (typeof seen)[number];
        if (later.stage !== first.stage || !later.open) {
          end = later.at;
          break;
        }
      }
      if (end !== undefined) stays.set(first.stage, [...(stays.get(first.stage) ?? []), Math.max(0, end - first.at)]);
    }
    if (deal.status === 'open') continue;
    for (const stage of new Set(seen.filter((o) => o.open).map((o) => o.stage))) {
      const r = reached.get(stage) ?? { closed: 0, won: 0 };
      reached.set(stage, { closed: r.closed + 1, won: r.won + (deal.status === 'won' ? 1 : 0) });
    }
    if (deal.status === 'lost') {
      const last = seen.filter((o) => o.open).at(-1);
      if (last) lost.set(last.stage, (lost.get(last.stage) ?? 0) + 1);
      else lostWithoutStage++;
    }
  }
  const names = [...new Set([...stays.keys(), ...lost.keys(), ...reached.keys()])].sort();
  const stages = names.map((stage) => {
    const space = stage.indexOf(' ');
    const ms = stays.get(stage) ?? [];
    const hours = ms.map((d) => Math.floor(d / 3_600_000)).sort((a, b) => a - b);
    const middle =
      hours.length === 0
        ? null
        : ((hours[(hours.length - 1) >> 1] as number) + (hours[hours.length >> 1] as number)) / 2;
    const r = reached.get(stage) ?? { closed: 0, won: 0 };
    return {
      source: stage.slice(0, space),
      stage: stage.slice(space + 1),
      stays: ms.length,
      meanDays:
        ms.length === 0 ? null : rounded(ms.reduce((sum, d) => sum + Math.round(d / 1000), 0) / 86_400 / ms.length, 1),
      medianDays: middle === null ? null : rounded(middle / 24, 1),
      lost: lost.get(stage) ?? 0,
      closedReached: r.closed,
      wonReached: r.won,
      learntProbability: r.closed === 0 ? null : rounded(r.won / r.closed, 3),
    };
  });
  return { stages, lostWithoutStage };
};

/**
 * "Figures that are 'as of now' are, for a past month, the value at the end of that month": with no snapshot
 * taken (the seam tests take none), a past month's are null; the month in progress shows them live.
 */
const asOfMonthEnd = (pipeline: PipelineFigure) => ({
  ...pipeline,
  openCount: null,
  openValue: null,
  otherCurrencies: Object.fromEntries(
    Object.entries(pipeline.otherCurrencies).flatMap(([currency, { wonValue = 0 }]) =>
      wonValue === 0 ? [] : [[currency, { wonValue }]],
    ),
  ),
});

/** Everything the API should answer about one month (`currentMonth` is the month in progress), and every owner's pipeline. */
export const expectedMonth = (
  b: Business,
  month: string,
  ctx: Context,
  owners: readonly string[],
  currentMonth: string,
) => ({
  metrics: {
    period: month,
    currency: ctx.baseCurrency,
    nps: npsOf(responsesIn(b, month, ctx)),
    billing: billingFigure(b, month, ctx),
    margin: marginFigure(b, month.slice(0, 4), ctx, month),
    activeCustomers: month === currentMonth ? activeCustomers(b) : null,
    prospectsInPipeline: month === currentMonth ? prospectsInPipeline(b) : null,
    pipeline: month === currentMonth ? pipelineFigure(b, month, ctx) : asOfMonthEnd(pipelineFigure(b, month, ctx)),
    acquisition: acquisitionFigure(b, month, ctx),
  },
  /** `/v1/pipeline`: open deals as of now, whatever the month. */
  pipeline: pipelineFigure(b, month, ctx),
  pipelineByOwner: Object.fromEntries(owners.map((o) => [o, pipelineFigure(b, month, ctx, o)])),
  segments: {
    segment: segmentBreakdown(b, month, ctx, 'segment'),
    channel: segmentBreakdown(b, month, ctx, 'channel'),
  },
  segmentsTotal: segmentTotal(b, month, ctx),
  /** `/v1/acquisition` per channel: every channel a spend or a new customer of the month names. */
  acquisitionByChannel: Object.fromEntries(
    [
      ...new Set([
        ...b.spends.filter((x) => monthOf(x.date, ctx.timeZone) === month).map((x) => x.channel ?? x.campaign),
        ...newCustomerIds(b, month, ctx).map((id) => customerById(b, id)?.channel ?? null),
      ]),
    ].map((channel) => [String(channel), { channel, ...acquisitionFigure(b, month, ctx, channel) }]),
  ),
  detractors: detractorsOf(b, month, ctx),
});

export type ExpectedMonth = ReturnType<typeof expectedMonth>;
