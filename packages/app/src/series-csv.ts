import { type Cell, toCsv } from './csv.js';
import type { MetricsReport } from './prometheus.js';
import type { Format } from './read-route.js';

/** `GET /v1/metrics/series`: each month as `/v1/metrics` answers it, without what the series says once. */
export interface SeriesAnswer {
  from: string;
  to: string;
  timezone: string;
  currency: string;
  asOf: string;
  months: Omit<MetricsReport, 'timezone' | 'currency' | 'asOf'>[];
}
type SeriesMonth = SeriesAnswer['months'][number];

/** The columns of the series as CSV, one row per month; amounts in the base currency (the `currency` column). */
const COLUMNS: readonly [string, (m: SeriesMonth) => Cell][] = [
  ['period', (m) => m.period],
  ['nps_score', (m) => m.nps.score],
  ['nps_promoters', (m) => m.nps.promoters],
  ['nps_passives', (m) => m.nps.passives],
  ['nps_detractors', (m) => m.nps.detractors],
  ['nps_responses', (m) => m.nps.responses],
  ['nps_year_to_date_score', (m) => m.comparisons.yearToDate.nps.score],
  ['billing', (m) => m.billing.thisMonth],
  ['billing_change_pct', (m) => m.billing.changePct],
  ['billing_year_ago', (m) => m.comparisons.yearAgo?.billing ?? null],
  ['billing_year_to_date', (m) => m.comparisons.yearToDate.billing],
  ['margin_year', (m) => m.margin.year],
  ['margin', (m) => m.margin.margin],
  ['margin_pct', (m) => m.margin.marginPct],
  ['margin_month', (m) => m.margin.thisMonth?.margin ?? null],
  ['margin_year_to_month', (m) => m.margin.yearToMonth?.margin ?? null],
  ['pipeline_created', (m) => m.pipeline.created],
  ['pipeline_won', (m) => m.pipeline.won],
  ['pipeline_lost', (m) => m.pipeline.lost],
  ['pipeline_won_value', (m) => m.pipeline.wonValue],
  ['pipeline_hit_rate', (m) => m.pipeline.hitRate],
  ['pipeline_avg_deal_size', (m) => m.pipeline.avgDealSize],
  ['pipeline_lead_time_days', (m) => m.pipeline.leadTimeDays],
  ['active_customers', (m) => m.activeCustomers],
  ['prospects_in_pipeline', (m) => m.prospectsInPipeline],
  ['pipeline_open_count', (m) => m.pipeline.openCount],
  ['pipeline_open_value', (m) => m.pipeline.openValue],
  ['now_figures_basis', (m) => m.nowFigures.basis],
  ['new_customers', (m) => m.acquisition.newCustomers],
  ['acquisition_spend', (m) => m.acquisition.spend],
  ['cac', (m) => m.acquisition.cac],
];

/** Amounts in other currencies, never converted: a column per currency seen in the span, after the others. */
const otherCurrencyColumns = (months: readonly SeriesMonth[]): [string, (m: SeriesMonth) => Cell][] => {
  const billing = new Set(months.flatMap((m) => Object.keys(m.billing.otherCurrencies)));
  const won = new Set(months.flatMap((m) => Object.keys(m.pipeline.otherCurrencies)));
  return [
    ...[...billing]
      .sort()
      .map((c): [string, (m: SeriesMonth) => Cell] => [
        `billing_${c}`,
        (m) => m.billing.otherCurrencies[c]?.thisMonth ?? 0,
      ]),
    ...[...won]
      .sort()
      .map((c): [string, (m: SeriesMonth) => Cell] => [
        `pipeline_won_value_${c}`,
        (m) => m.pipeline.otherCurrencies[c]?.wonValue ?? 0,
      ]),
  ];
};

export const SERIES_CSV_COLUMNS = [...COLUMNS.map(([name]) => name), 'currency'] as const;

export const seriesCsv = (series: SeriesAnswer): string => {
  const columns = [...COLUMNS, ['currency', () => series.currency] as const, ...otherCurrencyColumns(series.months)];
  return toCsv(
    columns.map(([name]) => name),
    series.months.map((month) => columns.map(([, cell]) => cell(month))),
  );
};

export const csvFormat: Format<SeriesAnswer> = {
  mediaType: 'text/csv',
  contentType: 'text/csv; charset=utf-8; header=present',
  schema: {
    type: 'string',
    description: `RFC 4180, one row per month, columns ${SERIES_CSV_COLUMNS.join(', ')}, then billing_<CUR> and pipeline_won_value_<CUR> for each other currency seen (docs/metrics.md, "Series as CSV")`,
  },
  render: seriesCsv,
};
