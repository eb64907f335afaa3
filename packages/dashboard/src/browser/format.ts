/**
 * How the page writes figures: in the browser's locale, '–' for a figure that does not exist yet. Pure
 * functions but for the base currency, which the metrics answer sets.
 */
import type { Kpi } from './api.js';

const locale = undefined;
let baseCurrency = 'EUR';

/** The currency `money` uses when it is given none: the API's base currency. */
export const setBaseCurrency = (code: string): void => {
  baseCurrency = code;
};

type Figure = number | null | undefined;

export const number = (n: Figure, digits?: number): string =>
  n === null || n === undefined ? '–' : new Intl.NumberFormat(locale, { maximumFractionDigits: digits ?? 0 }).format(n);

export const money = (n: Figure, code?: string): string =>
  n === null || n === undefined
    ? '–'
    : new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: code || baseCurrency,
        maximumFractionDigits: 0,
      }).format(n);

/** A money figure short enough for a chart's axis: €12K. */
export const compactMoney = (n: number): string =>
  new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: baseCurrency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(n);

/** The month `delta` months from a "YYYY-MM" month. */
export const addMonths = (period: string, delta: number): string => {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};

/** "YYYY-MM" as "May 2026", or "May" with 'short'. */
export const monthName = (period: string, length: 'long' | 'short' = 'long'): string =>
  new Date(`${period}-01T00:00Z`).toLocaleDateString(locale, {
    timeZone: 'UTC',
    month: 'short',
    ...(length === 'long' ? { year: 'numeric' } : {}),
  });

export const percent = (n: Figure): string => (n === null || n === undefined ? '–' : `${number(n, 1)} %`);

/** A figure with its sign: +33.3, -5, 0. */
export const signed = (n: number | null): string => (n === null ? '–' : (n > 0 ? '+' : '') + number(n, 1));

export const dateTime = (iso: string): string =>
  new Date(iso).toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** A calendar date (the first 10 characters of an ISO date), as it is in UTC. */
export const day = (date: string): string =>
  new Date(`${date.slice(0, 10)}T00:00Z`).toLocaleDateString(locale, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });

export const ago = (iso: string, now = Date.now()): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `on ${dateTime(iso)}`;
};

const TITLES: Record<Kpi['template'], string> = {
  wonValue: 'Won value this month',
  dealsCreated: 'Deals created this month',
  hitRate: 'Hit rate',
  nps: 'NPS of my customers',
  openDealsPlanned: 'Deals planned to close',
  meetingsPlanned: 'Meetings planned',
  keyAccountsMet: 'Key accounts met',
  activitiesDone: 'Activities done',
  dealsWithoutNextActivity: 'Deals without a next activity',
  dealsPastCloseDate: 'Deals past their close date',
};

/** The templates whose window looks ahead; the others look back. */
const AHEAD: ReadonlySet<Kpi['template']> = new Set(['openDealsPlanned', 'meetingsPlanned']);

/** A KPI's own label, or its template's title with its kind and window. */
export const kpiTitle = (k: Pick<Kpi, 'label' | 'template' | 'months' | 'days'> & { kind?: string }): string =>
  k.label !== k.template
    ? k.label
    : (TITLES[k.template] || k.template) +
      (k.kind ? ` (${k.kind})` : '') +
      (k.months
        ? `, last ${k.months} months`
        : k.days
          ? `, ${AHEAD.has(k.template) ? 'next' : 'last'} ${k.days} days`
          : '');

/**
 * A score on the percent scale the gauge and colours use: a percent score as it is; a score in points
 * against the target (NPS) as 100 at or above the target, 100 − the points short below it.
 */
export const percentScale = (k: Pick<Kpi, 'score' | 'scoreUnit'>): number | null =>
  k.score === null ? null : k.scoreUnit === 'points' ? 100 + Math.min(0, k.score) : k.score;

/** A KPI figure in its unit: percent, points, a currency code or a count such as deals. */
export const inUnit = (n: Figure, unit: string): string =>
  n === null || n === undefined
    ? '–'
    : unit === 'percent'
      ? `${number(n, 1)} %`
      : unit === 'points'
        ? `${(n > 0 ? '+' : '') + number(n, 1)} pts`
        : /^[A-Z]{3}$/.test(unit)
          ? money(n, unit)
          : `${number(n, 1)} ${unit === 'deals' && n === 1 ? 'deal' : unit}`;

export type Level = 'none' | 'bad' | 'warn' | 'good';

/** A KPI score's level (its colour) and verdict: red under 50 %, amber under 100 %, green from 100 %. */
export const level = (score: number | null): readonly [Level, string] =>
  score === null
    ? ['none', 'no data']
    : score < 50
      ? ['bad', 'far behind']
      : score < 100
        ? ['warn', 'behind']
        : ['good', 'on target'];
