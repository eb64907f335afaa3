/**
 * Hand-drawn SVG charts (no library: the page's CSP allows no other script, and four chart kinds fit in this
 * file). Built with DOM calls only, values as text. Readable without colour: every series has its own dash
 * pattern and marker (lines) or fill pattern (bars), named in a legend that draws the same swatch. Accessible:
 * the SVG is an image with a title and a summary, each month's values show on hover (an SVG <title> over the
 * month's column) and as a table beside the chart. Each point carries `data-series`, `data-period` and
 * `data-value`, so a test reads what is drawn.
 */
import { el } from './dom.js';
import { monthName } from './format.js';

const NS = 'http://www.w3.org/2000/svg';

type Attrs = Record<string, string | number>;

/** An SVG element with attributes and, when given, text. */
export const svgEl = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string) => {
  const e = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) e.setAttribute(name, String(value));
  if (text !== undefined) e.textContent = text;
  return e;
};

export interface Series {
  /** `data-series` of its points, and its CSS class (colour, dash, marker, pattern). */
  key: string;
  label: string;
  /** One value per period; null draws nothing (a gap in a line). */
  values: (number | null)[];
}

export interface ChartSpec {
  kind: 'line' | 'bar';
  title: string;
  /** The months on the x axis, "YYYY-MM". */
  periods: string[];
  series: Series[];
  /** A value as the page writes it (tooltip, table, direct label). */
  format: (n: number | null) => string;
  /** A value short enough for the y axis. */
  tick: (n: number) => string;
  /** A second line under each month's label (e.g. NPS response counts), also a table column. */
  under?: { label: string; values: string[] };
  /** Values restart each January (year to date): the line breaks there instead of falling. */
  yearly?: boolean;
  /** A sentence under the chart. */
  note?: string;
}

const W = 640;
const H = 230;
const PAD = { left: 58, right: 14, top: 14, bottom: 38 };

/** About four round steps from the lowest to the highest value, 0 always on the axis. */
const ticksFor = (values: number[]): number[] => {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t < hi + step; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  if ((ticks.at(-1) ?? 0) < hi || ticks.length < 2) ticks.push((ticks.at(-1) ?? 0) + step);
  return ticks;
};

/** The point marker of a line series: circle, square or triangle by its position, so shape tells them apart. */
const marker = (index: number, x: number, y: number): SVGElement => {
  if (index % 3 === 0) return svgEl('circle', { cx: x, cy: y, r: 3.6 });
  if (index % 3 === 1) return svgEl('rect', { x: x - 3.4, y: y - 3.4, width: 6.8, height: 6.8 });
  return svgEl('path', { d: `M${x} ${y - 4.4}L${x + 4.2} ${y + 3.2}L${x - 4.2} ${y + 3.2}Z` });
};

/** Fill patterns for bars: plain, hatched, dotted. */
const patterns = (id: string) => {
  const defs = svgEl('defs');
  const hatch = svgEl('pattern', { id: `${id}-p1`, width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
  hatch.append(svgEl('path', { d: 'M-1 7L7 -1M5 7L7 5M-1 1L1 -1', class: 'hatch' }));
  const dots = svgEl('pattern', { id: `${id}-p2`, width: 5, height: 5, patternUnits: 'userSpaceOnUse' });
  dots.append(svgEl('circle', { cx: 2.5, cy: 2.5, r: 1.3, class: 'dot' }));
  defs.append(hatch, dots);
  return defs;
};

/** The swatch a legend shows for a series: the same dash and marker, or the same fill, as the chart. */
const swatch = (kind: ChartSpec['kind'], key: string, index: number, id: string) => {
  const s = svgEl('svg', { viewBox: '0 0 28 12', width: 28, height: 12, 'aria-hidden': 'true', class: `s-${key}` });
  if (kind === 'line') {
    s.append(svgEl('path', { d: 'M1 6H27', class: `line s${index}` }), marker(index, 14, 6));
  } else {
    s.append(svgEl('rect', { x: 6, y: 1, width: 16, height: 10, class: 'col' }));
    if (index > 0) s.append(svgEl('rect', { x: 6, y: 1, width: 16, height: 10, fill: `url(#${id}-p${index})` }));
  }
  return s;
};

/** One short sentence of what the chart shows, for screen readers and the chart's description. */
const summary = (spec: ChartSpec): string => {
  const first = spec.periods[0];
  const last = spec.periods.at(-1);
  if (!first || !last) return 'No months.';
  const parts = spec.series.map((s) => {
    const latest = s.values.at(-1) ?? null;
    return `${s.label}: ${spec.format(latest)} in ${monthName(last)}`;
  });
  return `${monthName(first)} to ${monthName(last)}. ${parts.join('; ')}.`;
};

/** The chart's values as a table: one row per month, one column per series. */
const dataTable = (spec: ChartSpec): HTMLTableElement => {
  const table = el('table', 'data');
  table.append(el('caption', 'sr-only', spec.title));
  const head = el('tr');
  for (const label of ['Month', ...spec.series.map((s) => s.label), ...(spec.under ? [spec.under.label] : [])]) {
    const th = el('th', label === 'Month' ? '' : 'num', label);
    th.scope = 'col';
    head.append(th);
  }
  const body = el('tbody');
  spec.periods.forEach((period, i) => {
    const tr = el('tr');
    const th = el('th', '', monthName(period));
    th.scope = 'row';
    tr.append(th, ...spec.series.map((s) => el('td', 'num', spec.format(s.values[i] ?? null))));
    if (spec.under) tr.append(el('td', 'num', spec.under.values[i] ?? ''));
    body.append(tr);
  });
  const thead = el('thead');
  thead.append(head);
  table.append(thead, body);
  return table;
};

/**
 * Draws a chart into its figure (markup: `<figure class="chart" id=…>` with an h3): the legend, the SVG and a
 * "Show the figures" table. Replaces what was drawn before.
 */
export const drawChart = (figure: HTMLElement, spec: ChartSpec): void => {
  const id = figure.id;
  const n = spec.periods.length;
  const all = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = ticksFor(all);
  const lo = ticks[0] ?? 0;
  const hi = ticks.at(-1) ?? 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / Math.max(1, n);
  const xOf = (i: number) => PAD.left + band * (i + 0.5);
  const yOf = (v: number) => PAD.top + plotH * (1 - (v - lo) / (hi - lo || 1));

  const svg = svgEl('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-labelledby': `${id}-t ${id}-d`,
    class: `plot plot-${spec.kind}`,
  });
  svg.append(svgEl('title', { id: `${id}-t` }, spec.title), svgEl('desc', { id: `${id}-d` }, summary(spec)));
  if (spec.kind === 'bar') svg.append(patterns(id));

  const axis = svgEl('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const t of ticks) {
    const y = yOf(t);
    axis.append(
      svgEl('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: t === 0 ? 'zero' : 'gridline' }),
      svgEl('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, spec.tick(t)),
    );
  }
  spec.periods.forEach((period, i) => {
    const label = monthName(period, 'short');
    const yearMark = i === 0 || period.endsWith('-01') ? ` ${period.slice(2, 4)}` : '';
    axis.append(svgEl('text', { x: xOf(i), y: H - PAD.bottom + 15, 'text-anchor': 'middle' }, label + yearMark));
    const under = spec.under?.values[i];
    if (under)
      axis.append(svgEl('text', { x: xOf(i), y: H - PAD.bottom + 30, 'text-anchor': 'middle', class: 'under' }, under));
  });
  svg.append(axis);

  const zeroY = yOf(Math.max(lo, Math.min(0, hi)));
  spec.series.forEach((s, si) => {
    const g = svgEl('g', { class: `series s-${s.key}`, 'data-series': s.key });
    if (spec.kind === 'line') {
      let d = '';
      let open = false;
      s.values.forEach((v, i) => {
        if (v === null) {
          open = false;
          return;
        }
        if (spec.yearly && spec.periods[i]?.endsWith('-01')) open = false;
        d += `${open ? 'L' : 'M'}${xOf(i).toFixed(1)} ${yOf(v).toFixed(1)}`;
        open = true;
      });
      g.append(svgEl('path', { d, class: `line s${si}` }));
    }
    const width = (band * 0.76) / spec.series.length;
    s.values.forEach((v, i) => {
      if (v === null) return;
      const data = { 'data-period': spec.periods[i] ?? '', 'data-value': v };
      if (spec.kind === 'line') {
        const point = marker(si, xOf(i), yOf(v));
        for (const [name, value] of Object.entries(data)) point.setAttribute(name, String(value));
        point.setAttribute('class', 'point');
        g.append(point);
        return;
      }
      const x = xOf(i) - band * 0.38 + width * si;
      const y = Math.min(yOf(v), zeroY);
      const h = Math.max(Math.abs(yOf(v) - zeroY), v === 0 ? 0 : 1);
      g.append(svgEl('rect', { x, y, width: width - 1, height: h, class: 'col', ...data }));
      if (si > 0) g.append(svgEl('rect', { x, y, width: width - 1, height: h, fill: `url(#${id}-p${si})` }));
    });
    // The latest value written beside the first series' last point: the figure a reader looks for first.
    const lastIndex = s.values.length - 1;
    const latest = s.values[lastIndex];
    if (spec.kind === 'line' && si === 0 && latest !== null && latest !== undefined)
      g.append(
        svgEl(
          'text',
          { x: xOf(lastIndex) - 6, y: yOf(latest) - 9, 'text-anchor': 'end', class: 'direct' },
          spec.format(latest),
        ),
      );
    svg.append(g);
  });

  // One column per month, on top: hovering it shows the month's values.
  const hits = svgEl('g', { class: 'hits' });
  spec.periods.forEach((period, i) => {
    const lines = spec.series.map((s) => `${s.label}: ${spec.format(s.values[i] ?? null)}`);
    if (spec.under) lines.push(`${spec.under.label}: ${spec.under.values[i] ?? ''}`);
    const rect = svgEl('rect', { x: PAD.left + band * i, y: PAD.top, width: band, height: plotH, class: 'hit' });
    rect.append(svgEl('title', {}, `${monthName(period)}\n${lines.join('\n')}`));
    hits.append(rect);
  });
  svg.append(hits);

  const legend = el('ul', 'legend-line');
  legend.setAttribute('aria-hidden', 'true');
  spec.series.forEach((s, si) => {
    const li = el('li');
    li.append(swatch(spec.kind, s.key, si, id), el('span', '', s.label));
    legend.append(li);
  });
  const details = el('details');
  const wrap = el('div', 'table-wrap');
  wrap.append(dataTable(spec));
  details.append(el('summary', '', 'Show the figures'), wrap);
  const heading = figure.querySelector('h3');
  const note = spec.note ? [el('p', 'note', spec.note)] : [];
  figure.replaceChildren(...(heading ? [heading] : []), legend, svg, ...note, details);
};

/** A KPI card's 12-month line: no axes, the last point marked; the values as `data-values` and aria-label. */
export const sparkline = (host: Element, label: string, values: (number | null)[], format: ChartSpec['format']) => {
  const w = 120;
  const h = 30;
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const xOf = (i: number) => 3 + ((w - 6) * i) / Math.max(1, values.length - 1);
  const yOf = (v: number) => 3 + (h - 6) * (1 - (v - lo) / (hi - lo || 1)) + (hi === lo ? (h - 6) / 2 : 0);
  let d = '';
  let open = false;
  values.forEach((v, i) => {
    if (v === null) {
      open = false;
      return;
    }
    d += `${open ? 'L' : 'M'}${xOf(i).toFixed(1)} ${yOf(v).toFixed(1)}`;
    open = true;
  });
  const first = known[0] ?? null;
  const last = values.at(-1) ?? null;
  const svg = svgEl('svg', {
    viewBox: `0 0 ${w} ${h}`,
    class: 'spark',
    role: 'img',
    'aria-label': `${label}, last 12 months: ${format(first)} to ${format(last)}`,
    'data-values': values.map((v) => (v === null ? '' : v)).join(','),
  });
  svg.append(svgEl('title', {}, `${label}, last 12 months`), svgEl('path', { d }));
  if (last !== null) svg.append(svgEl('circle', { cx: xOf(values.length - 1), cy: yOf(last), r: 2.6 }));
  host.replaceChildren(...(known.length ? [svg] : []));
};
