/**
 * Forecast against budget, from one `GET /v1/forecast` answer for the year of the period shown: per month
 * (sold, forecast = sold + weighted open pipeline, budget, as bars) and accumulated over the year (lines);
 * and the time-in-stage table from `GET /v1/pipeline/stages`.
 */
import type { ForecastAnswer, StagesAnswer } from './api.js';
import { drawChart } from './chart.js';
import { $, el, namedCell, rows } from './dom.js';
import { compactMoney, money, number, percent } from './format.js';

/** The forecast query for a period: January to December of its year. */
export const forecastQuery = (period: string): string => `?from=${period.slice(0, 4)}-01&to=${period.slice(0, 4)}-12`;

export const renderForecast = (f: ForecastAnswer): void => {
  const periods = f.months.map((m) => m.month);
  drawChart($('forecast-month'), {
    kind: 'bar',
    title: 'Sold, forecast and budget per month',
    periods,
    series: [
      { key: 'sold', label: 'Sold', values: f.months.map((m) => m.sold) },
      { key: 'forecast', label: 'Forecast (sold + weighted pipeline)', values: f.months.map((m) => m.forecast) },
      { key: 'budget', label: 'Budget', values: f.months.map((m) => m.budget) },
    ],
    format: money,
    tick: compactMoney,
  });
  drawChart($('forecast-accumulated'), {
    kind: 'line',
    title: 'Sold, forecast and budget accumulated over the year',
    periods,
    series: [
      { key: 'forecast', label: 'Forecast, accumulated', values: f.months.map((m) => m.accumulated.forecast) },
      { key: 'sold', label: 'Sold, accumulated', values: f.months.map((m) => m.accumulated.sold) },
      { key: 'budget', label: 'Budget, accumulated', values: f.months.map((m) => m.accumulated.budget) },
    ],
    format: money,
    tick: compactMoney,
  });
  const others = Object.keys(f.months.at(-1)?.otherCurrencies ?? {});
  $('forecast-note').textContent = [
    f.unscheduled.count
      ? `${number(f.unscheduled.count)} open deals without an expected close date (weighted ${money(f.unscheduled.weightedPipeline)}) are in no month.`
      : '',
    others.length ? `Also in ${others.join(', ')}, not converted: see the API.` : '',
  ]
    .filter(Boolean)
    .join(' ');
};

const days = (n: number | null) => (n === null ? '–' : number(n, 1));

export const renderStageTimes = (s: StagesAnswer): void => {
  rows('stage-times', s.stages, 5, 'No stage changes seen yet.', (x) => {
    const probability = el(
      'td',
      'num',
      x.probability === null
        ? '–'
        : `${percent(100 * x.probability)}${x.override === null ? ` (n=${number(x.closedReached)})` : ' (set)'}`,
    );
    return [
      // Stage ids repeat across sources (Pipedrive's 4, HubSpot's 4): the tooltip says whose.
      namedCell(x.stageName, x.stage, `${x.stage} (${x.source})`),
      el('td', 'num', days(x.meanDays)),
      el('td', 'num', days(x.medianDays)),
      el('td', 'num', number(x.lost)),
      probability,
    ];
  });
};
