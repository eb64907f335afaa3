import { type ForecastReport, type metricsReport, previousPeriod, type StagesReport } from '@flash/core';

export type MetricsReport = ReturnType<typeof metricsReport>;

export interface Sample {
  labels?: Record<string, string>;
  /** null: the figure is undefined (no responses, no closed deals…), so the sample is left out. */
  value: number | null;
}

export interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeLabelValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
// The 0.0.4 text format escapes only backslash and newline in HELP; OpenMetrics escapes quotes there too.
const escapeHelp = (help: string, format: ExpositionFormat) =>
  format === 'openmetrics' ? escapeLabelValue(help) : help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

const formatValue = (n: number): string =>
  Number.isNaN(n) ? 'NaN' : n === Number.POSITIVE_INFINITY ? '+Inf' : n === Number.NEGATIVE_INFINITY ? '-Inf' : `${n}`;

const formatLabels = (labels: Record<string, string> = {}): string => {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name)) throw new Error(`invalid label name ${name}`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
};

/** Gauge families in the Prometheus text format 0.0.4, or OpenMetrics 1.0 (which ends with `# EOF`). */
export const exposition = (families: readonly Family[], format: ExpositionFormat): string => {
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help, format)}`, `# TYPE ${family.name} gauge`);
    for (const { labels, value } of family.samples)
      if (value !== null) lines.push(`${family.name}${formatLabels(labels)} ${formatValue(value)}`);
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return `${lines.join('\n')}\n`;
};

const seconds = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso) / 1000);

/** Base-currency figure first, then the same figure in every other currency seen. */
const perCurrency = (
  base: string,
  baseValue: number | null,
  others: Record<string, Record<string, number>>,
  field: string,
  labels: Record<string, string>,
): Sample[] => [
  { labels: { ...labels, currency: base }, value: baseValue },
  ...Object.entries(others).map(([currency, fields]) => ({
    labels: { ...labels, currency },
    value: fields[field] ?? 0,
  })),
];

/** The headline figures of `GET /v1/metrics` as gauges, labelled with their period and currency. */
export const metricsFamilies = (report: MetricsReport): Family[] => {
  const { period, currency: base, nps, billing, margin, pipeline, acquisition } = report;
  const year = `${margin.year}`;
  /** One sample per name, labelled `label=name`: NPS categories, pipeline events. */
  const oneEach = <K extends string>(label: string, names: readonly K[], values: Record<K, number>) =>
    names.map((name) => ({ labels: { period, [label]: name }, value: values[name] }));
  return [
    {
      name: 'flash_nps_score',
      help: 'Net Promoter Score of the month, -100 to 100.',
      samples: [{ labels: { period }, value: nps.score }],
    },
    {
      name: 'flash_nps_responses',
      help: 'Survey responses of the month by NPS category.',
      samples: oneEach('category', ['promoters', 'passives', 'detractors'], nps),
    },
    {
      name: 'flash_billing_amount',
      help: 'Billing of the month (invoices less credit notes), in major units of the currency.',
      samples: [
        ...perCurrency(base, billing.thisMonth, billing.otherCurrencies, 'thisMonth', { period }),
        ...perCurrency(base, billing.lastMonth, billing.otherCurrencies, 'lastMonth', {
          period: previousPeriod(period),
        }),
      ],
    },
    {
      name: 'flash_billing_change_percent',
      help: 'Change of billing against the month before, in percent.',
      samples: [{ labels: { period, currency: base }, value: billing.changePct }],
    },
    {
      name: 'flash_year_billing_amount',
      help: 'Billing of the year to date, in major units of the currency.',
      samples: perCurrency(base, margin.billing, margin.otherCurrencies, 'billing', { year }),
    },
    {
      name: 'flash_year_cost_amount',
      help: 'Project costs of the year to date, in major units of the currency.',
      samples: perCurrency(base, margin.cost, margin.otherCurrencies, 'cost', { year }),
    },
    {
      name: 'flash_year_margin_amount',
      help: 'Margin (billing less cost) of the year to date, in major units of the currency.',
      samples: perCurrency(base, margin.margin, margin.otherCurrencies, 'margin', { year }),
    },
    {
      name: 'flash_year_margin_percent',
      help: 'Margin of the year to date as a percentage of billing.',
      samples: [{ labels: { year, currency: base }, value: margin.marginPct }],
    },
    {
      name: 'flash_active_customers',
      help: 'Customers (not internal) with an open deal or an open project.',
      samples: [{ value: report.activeCustomers }],
    },
    {
      name: 'flash_prospects_in_pipeline',
      help: 'Customers with an open deal and no invoice, won deal or project yet.',
      samples: [{ value: report.prospectsInPipeline }],
    },
    {
      name: 'flash_pipeline_deals',
      help: 'Deals created, won and lost in the month.',
      samples: oneEach('event', ['created', 'won', 'lost'], pipeline),
    },
    {
      name: 'flash_pipeline_won_value_amount',
      help: 'Value of the deals won in the month, in major units of the currency.',
      samples: perCurrency(base, pipeline.wonValue, pipeline.otherCurrencies, 'wonValue', { period }),
    },
    { name: 'flash_pipeline_open_deals', help: 'Deals open now.', samples: [{ value: pipeline.openCount }] },
    {
      name: 'flash_pipeline_open_value_amount',
      help: 'Value of the deals open now, in major units of the currency.',
      samples: perCurrency(base, pipeline.openValue, pipeline.otherCurrencies, 'openValue', {}),
    },
    {
      name: 'flash_pipeline_hit_ratio',
      help: 'Deals won over deals closed in the month, 0 to 1.',
      samples: [{ labels: { period }, value: pipeline.hitRate }],
    },
    {
      name: 'flash_pipeline_avg_deal_size_amount',
      help: 'Average value of the deals won in the month, in major units of the currency.',
      samples: [{ labels: { period, currency: base }, value: pipeline.avgDealSize }],
    },
    {
      name: 'flash_pipeline_lead_time_days',
      help: 'Average days from creation to winning of the deals won in the month.',
      samples: [{ labels: { period }, value: pipeline.leadTimeDays }],
    },
    {
      name: 'flash_new_customers',
      help: 'Customers whose first won deal or issued invoice falls in the month.',
      samples: [{ labels: { period }, value: acquisition.newCustomers }],
    },
    {
      name: 'flash_acquisition_spend_amount',
      help: 'Marketing and sales spend dated in the month, in major units of the currency.',
      samples: [
        { labels: { period, currency: base }, value: acquisition.spend },
        ...Object.entries(acquisition.otherCurrencies).map(([currency, { spend }]) => ({
          labels: { period, currency },
          value: spend,
        })),
      ],
    },
    {
      name: 'flash_cac_amount',
      help: "Customer acquisition cost of the month (spend / new customers), each currency's part in its own currency.",
      samples: [
        { labels: { period, currency: base }, value: acquisition.cac },
        ...Object.entries(acquisition.otherCurrencies).map(([currency, { cac }]) => ({
          labels: { period, currency },
          value: cac,
        })),
      ],
    },
    {
      name: 'flash_figure_updated_timestamp_seconds',
      help: 'When an event last changed the figure, in Unix seconds.',
      samples: [
        { labels: { figure: 'nps', period }, value: seconds(nps.updatedAt) },
        { labels: { figure: 'billing', period }, value: seconds(billing.updatedAt) },
        { labels: { figure: 'margin', period }, value: seconds(margin.updatedAt) },
        { labels: { figure: 'customers', period }, value: seconds(report.customersUpdatedAt) },
        { labels: { figure: 'pipeline', period }, value: seconds(pipeline.updatedAt) },
        { labels: { figure: 'acquisition', period }, value: seconds(acquisition.updatedAt) },
      ],
    },
  ];
};

/**
 * The stage table of `GET /v1/pipeline/stages` as gauges, one sample per stage: labelled by source and stage id
 * (a stage id means something only in its source's pipeline), not by the stage's label, which may change.
 */
export const stageFamilies = (report: StagesReport): Family[] => {
  const each = (value: (row: StagesReport['stages'][number]) => number | null): Sample[] =>
    report.stages.map((row) => ({ labels: { source: row.source, stage: row.stage }, value: value(row) }));
  return [
    { name: 'flash_stage_mean_days', help: 'Mean days deals stay in the stage.', samples: each((r) => r.meanDays) },
    {
      name: 'flash_stage_median_days',
      help: 'Median days deals stay in the stage (stays counted in whole hours).',
      samples: each((r) => r.medianDays),
    },
    { name: 'flash_stage_stays', help: 'Stays in the stage that ended.', samples: each((r) => r.stays) },
    { name: 'flash_stage_lost_deals', help: 'Lost deals last seen open in the stage.', samples: each((r) => r.lost) },
    {
      name: 'flash_stage_win_probability',
      help: 'Probability a deal in the stage is won: the override, else learnt from closed deals, 0 to 1.',
      samples: each((r) => r.probability),
    },
    {
      name: 'flash_stage_closed_deals',
      help: 'Closed deals that reached the stage: the sample of its learnt probability.',
      samples: each((r) => r.closedReached),
    },
  ];
};

/** The forecast of `GET /v1/forecast` as gauges per month and currency, monthly and accumulated. */
export const forecastFamilies = (report: ForecastReport): Family[] => {
  const figures = ['sold', 'weightedPipeline', 'forecast', 'budget'] as const;
  const owner: Record<string, string> = report.owner === null ? {} : { owner: report.owner };
  const samples = (accumulated: boolean, figure: (typeof figures)[number]): Sample[] =>
    report.months.flatMap((row) =>
      [
        [report.currency, row] as const,
        ...Object.entries(row.otherCurrencies).map(([currency, block]) => [currency, block] as const),
      ].map(([currency, block]) => ({
        labels: { ...owner, period: row.month, currency },
        value: (accumulated ? block.accumulated : block)[figure],
      })),
    );
  const names = { sold: 'sold', weightedPipeline: 'weighted_pipeline', forecast: 'forecast', budget: 'budget' };
  return figures.flatMap((figure) => [
    {
      name: `flash_forecast_${names[figure]}_amount`,
      help: `Forecast ${figure} of the month, in major units of the currency.`,
      samples: samples(false, figure),
    },
    {
      name: `flash_forecast_accumulated_${names[figure]}_amount`,
      help: `Forecast ${figure} accumulated from the first month asked, in major units of the currency.`,
      samples: samples(true, figure),
    },
  ]);
};
