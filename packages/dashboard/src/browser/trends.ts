/**
 * The trends: four 12-month charts and the KPI strip's sparklines, all from one `GET /v1/metrics/series`
 * answer of 24 months (the 12 shown and the 12 before them, for last year's line).
 */
import type { SeriesAnswer, SeriesMonth } from './api.js';
import { drawChart, sparkline } from './chart.js';
import { $ } from './dom.js';
import { addMonths, compactMoney, money, number, percent, signed } from './format.js';

/** The series query for a period: the 12 months shown, up to it, and the 12 before them for last year's line. */
export const seriesQuery = (period: string): string => `?from=${addMonths(period, -23)}&to=${period}`;

const count = (n: number | null) => number(n);
const countTick = (n: number) => number(n);
const scoreTick = (n: number) => signed(n);

export const renderTrends = (s: SeriesAnswer): void => {
  const recent = s.months.slice(-12);
  const before = s.months.slice(-24, -12);
  const periods = recent.map((m) => m.period);
  const pick = (list: readonly SeriesMonth[], value: (m: SeriesMonth) => number | null) =>
    periods.map((_, i) => {
      const m = list[i];
      return m ? value(m) : null;
    });
  const billing = pick(recent, (m) => m.billing.thisMonth);
  drawChart($('trend-billing'), {
    kind: 'line',
    title: 'Billing per month, against the same month a year earlier',
    periods,
    series: [
      { key: 'billing', label: 'Billing', values: billing },
      { key: 'billingYearBefore', label: 'A year earlier', values: pick(before, (m) => m.billing.thisMonth) },
    ],
    format: money,
    tick: compactMoney,
  });
  const latest = recent.at(-1);
  // January to each month's end, restarting each January, as the API sums it (`margin.yearToMonth`).
  drawChart($('trend-margin'), {
    kind: 'line',
    title: 'Billing and margin, cumulative for the year',
    periods,
    series: [
      {
        key: 'billingYtd',
        label: 'Billing, year to date',
        values: pick(recent, (m) => m.margin.yearToMonth?.billing ?? null),
      },
      {
        key: 'marginYtd',
        label: 'Margin, year to date',
        values: pick(recent, (m) => m.margin.yearToMonth?.margin ?? null),
      },
    ],
    format: money,
    tick: compactMoney,
    yearly: true,
    note: latest
      ? `Margin ${latest.margin.year} so far: ${money(latest.margin.margin)}` +
        (latest.margin.marginPct === null ? '' : ` (${percent(latest.margin.marginPct)} of billing)`)
      : '',
  });
  const nps = pick(recent, (m) => m.nps.score);
  drawChart($('trend-nps'), {
    kind: 'line',
    title: 'NPS per month, with the number of responses',
    periods,
    series: [{ key: 'nps', label: 'NPS', values: nps }],
    format: signed,
    tick: scoreTick,
    under: { label: 'Responses', values: recent.map((m) => `n=${m.nps.responses}`) },
  });
  drawChart($('trend-pipeline'), {
    kind: 'bar',
    title: 'Pipeline flow: deals created, won and lost per month',
    periods,
    series: [
      { key: 'created', label: 'Created', values: pick(recent, (m) => m.pipeline.created) },
      { key: 'won', label: 'Won', values: pick(recent, (m) => m.pipeline.won) },
      { key: 'lost', label: 'Lost', values: pick(recent, (m) => m.pipeline.lost) },
    ],
    format: count,
    tick: countTick,
  });

  const spark = (key: string, label: string, values: (number | null)[], format: (n: number | null) => string) => {
    const host = document.querySelector(`[data-spark="${key}"]`);
    if (host) sparkline(host, label, values, format);
  };
  spark('nps', 'NPS', nps, signed);
  spark('billing', 'Billing', billing, money);
  spark(
    'customers',
    'Active customers',
    pick(recent, (m) => m.activeCustomers),
    count,
  );
  spark(
    'prospects',
    'Prospects in pipeline',
    pick(recent, (m) => m.prospectsInPipeline),
    count,
  );
};
