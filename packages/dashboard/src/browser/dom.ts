/**
 * Typed access to the page (markup.ts): the elements the script uses by id, with the tag each must have, and
 * the `data-field` hooks it fills. Everything is written with textContent, never as markup.
 */

/** Each id the script uses and its element's tag; tests/unit/dashboard checks markup.ts against it. */
export const IDS = {
  'period-form': 'form',
  period: 'input',
  status: 'p',
  'tv-link': 'a',
  'trends-error': 'p',
  'trend-billing': 'figure',
  'trend-margin': 'figure',
  'trend-nps': 'figure',
  'trend-pipeline': 'figure',
  'forecast-error': 'p',
  'forecast-month': 'figure',
  'forecast-accumulated': 'figure',
  'forecast-note': 'p',
  'stage-times': 'tbody',
  'nps-bar': 'div',
  detractors: 'tbody',
  'detractors-empty': 'p',
  'user-form': 'form',
  user: 'select',
  'mine-profile': 'p',
  gauges: 'ul',
  'mine-error': 'p',
  'mine-empty': 'div',
  'mine-profiles': 'span',
  'req-form': 'form',
  budget: 'input',
  months: 'select',
  'req-error': 'p',
  'req-result': 'div',
  'req-rows': 'tbody',
  'req-basis': 'p',
  'wi-hitRate': 'input',
  'wi-dealSize': 'input',
  'wi-leadTime': 'input',
  'wi-opportunities': 'input',
  'whatif-result': 'div',
  'whatif-rows': 'tbody',
  'whatif-best': 'p',
  alerts: 'ol',
  'alerts-empty': 'p',
  by: 'fieldset',
  'by-head': 'th',
  segments: 'tbody',
  'segments-total': 'tfoot',
  sources: 'tbody',
  lost: 'ul',
  stages: 'tbody',
  'stale-count': 'span',
  stale: 'tbody',
  'cac-channels': 'tbody',
  baskets: 'tbody',
  auth: 'dialog',
  'auth-form': 'form',
  token: 'input',
  'auth-error': 'p',
} as const satisfies Record<string, keyof HTMLElementTagNameMap>;

export type Id = keyof typeof IDS;
type ElementOf<I extends Id> = HTMLElementTagNameMap[(typeof IDS)[I]];

/** The element with that id, of the tag IDS gives it; throws when the markup has no such element. */
export const $ = <I extends Id>(id: I): ElementOf<I> => {
  const e = document.getElementById(id);
  if (e?.localName !== IDS[id]) throw new Error(`the page has no <${IDS[id]} id="${id}">`);
  // Checked just above: the element has the tag IDS gives this id.
  return e as ElementOf<I>;
};

/** The `data-field` hooks the script fills; tests/unit/dashboard checks markup.ts against them. */
export const FIELDS = [
  'periodName',
  'npsScore',
  'npsResponses',
  'promoters',
  'passives',
  'detractors',
  'billingThisMonth',
  'billingChange',
  'billingLastMonth',
  'billingOther',
  'marginTitle',
  'margin',
  'marginPct',
  'activeCustomers',
  'prospects',
  'currency',
  'created',
  'won',
  'lost',
  'wonValue',
  'openCount',
  'openValue',
  'hitRate',
  'avgDealSize',
  'leadTimeDays',
  'newCustomers',
  'acquisitionSpend',
  'cac',
  'acquisitionOther',
] as const;
export type Field = (typeof FIELDS)[number];

const fields = (name: Field) => document.querySelectorAll<HTMLElement>(`[data-field="${name}"]`);

/** The first element of a field. */
export const field = (name: Field): HTMLElement => {
  const e = fields(name)[0];
  if (!e) throw new Error(`the page has no data-field="${name}"`);
  return e;
};

/** Writes a value, as text, to every element of a field. */
export const setField = (name: Field, value: string): void => {
  fields(name).forEach((e) => {
    e.textContent = value;
  });
};

/** A new element, with a class and text when given. */
export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number | null,
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
};

/** A table cell; an empty value shows as a muted "none". */
export const cell = (text: string | null | undefined, className?: string): HTMLTableCellElement => {
  const td = el('td', className);
  if (text === null || text === undefined || text === '') td.append(el('span', 'none', 'none'));
  else td.textContent = text;
  return td;
};

/**
 * A cell for something the API names by id and by name (a customer, an owner, a deal, a stage): the name,
 * with the id as its `data-id` and tooltip (or `tooltip`, when the id alone is ambiguous); the id alone while
 * no name is known.
 */
export const namedCell = (
  name: string | null | undefined,
  id: string | null | undefined,
  tooltip: string | null | undefined = id,
): HTMLTableCellElement => {
  const td = cell(name || id);
  if (id) {
    td.dataset.id = id;
    if (name && tooltip) td.title = tooltip;
  }
  return td;
};

const emptyRow = (cols: number, text: string) => {
  const tr = el('tr');
  const td = el('td', 'none', text);
  td.colSpan = cols;
  tr.append(td);
  return tr;
};

/** Fills a table body with one row per item, or with one row saying it is empty. */
export const rows = <T>(
  id: 'segments' | 'sources' | 'stages' | 'stale' | 'cac-channels' | 'baskets' | 'stage-times',
  list: readonly T[],
  cols: number,
  empty: string,
  cells: (item: T) => HTMLTableCellElement[],
): void =>
  $(id).replaceChildren(
    ...(list.length
      ? list.map((x) => {
          const tr = el('tr');
          tr.append(...cells(x));
          return tr;
        })
      : [emptyRow(cols, empty)]),
  );

/**
 * Gives each body cell of the page's tables its column's heading as `data-label`, which the phone layout
 * shows beside the value when it stacks a row's cells (a full-width cell, such as "none", gets none).
 */
export const labelCells = (): void => {
  document.querySelectorAll('table').forEach((table) => {
    const heads = Array.from(table.tHead?.rows[0]?.cells ?? [], (c) => c.textContent ?? '');
    for (const body of [...Array.from(table.tBodies), table.tFoot])
      for (const row of Array.from(body?.rows ?? []))
        Array.from(row.cells).forEach((c, i) => {
          if (c.colSpan === 1 && heads[i]) c.dataset.label = heads[i];
        });
  });
};

/** A bar (`.gauge`) filled to a percentage. */
export const gauge = (width: number): HTMLDivElement => {
  const bar = el('div', 'gauge');
  const fill = el('span');
  fill.style.width = `${width}%`;
  bar.append(fill);
  return bar;
};
