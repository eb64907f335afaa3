/**
 * One renderer per answer: each writes its block of the page from an answer of the API, as text only, and
 * records in `fresh` when the figures it shows last changed.
 */
import type {
  AcquisitionAnswer,
  AlertsAnswer,
  CoachingAnswer,
  DetractorsAnswer,
  KpisAnswer,
  MetricsAnswer,
  RequirementsAnswer,
  SegmentsAnswer,
} from './api.js';
import { $, cell, el, field, gauge, namedCell, rows, setField } from './dom.js';
import {
  addMonths,
  dateTime,
  day,
  inUnit,
  kpiTitle,
  level,
  money,
  monthName,
  number,
  percent,
  percentScale,
  setBaseCurrency,
  signed,
} from './format.js';

/**
 * When the figures of each `data-fresh` hook last changed: an ISO time, null for "no data yet", absent for
 * "not known yet".
 */
export type Freshness = Record<string, string | null>;

const NPS_BUCKETS = ['promoters', 'passives', 'detractors'] as const;

export const renderMetrics = (m: MetricsAnswer, fresh: Freshness): void => {
  setBaseCurrency(m.currency);
  setField('currency', `(${m.currency})`);
  setField('periodName', monthName(m.period));
  // Active customers, prospects and open pipeline are as of now; for a past month the API gives their value
  // at the month's end.
  const basis = m.nowFigures.basis;
  document.querySelectorAll('[data-asof]').forEach((e) => {
    e.textContent = basis === 'live' ? 'now' : basis === 'periodEnd' ? `at end of ${monthName(m.period)}` : '';
  });
  renderComparisons(m);
  const nps = m.nps;
  setField('npsScore', nps.score === null ? '–' : (nps.score > 0 ? '+' : '') + number(nps.score, 1));
  setField('npsResponses', nps.responses === 1 ? '1 response' : `${number(nps.responses)} responses`);
  for (const k of NPS_BUCKETS) {
    setField(k, number(nps[k]));
    const part = $('nps-bar').querySelector<HTMLElement>(`.${k}`);
    if (part) part.style.width = nps.responses ? `${(100 * nps[k]) / nps.responses}%` : '0';
  }
  $('nps-bar').setAttribute(
    'aria-label',
    nps.responses
      ? `${nps.promoters} promoters, ${nps.passives} passives, ${nps.detractors} detractors`
      : 'No responses yet',
  );

  const b = m.billing;
  const pct = b.changePct;
  setField('billingThisMonth', money(b.thisMonth));
  const change = field('billingChange');
  change.textContent = pct === null ? '' : `${pct > 0 ? '▲ +' : pct < 0 ? '▼ ' : ''}${number(pct, 1)} %`;
  change.className = `change${pct === null ? '' : pct > 0 ? ' up' : pct < 0 ? ' down' : ''}`;
  setField('billingLastMonth', `vs ${money(b.lastMonth)} in ${monthName(addMonths(m.period, -1), 'short')}`);
  const others = Object.entries(b.otherCurrencies).map(([code, v]) => money(v.thisMonth, code));
  setField('billingOther', others.length ? `also ${others.join(', ')}` : '');

  setField('marginTitle', `Margin ${m.margin.year}`);
  setField('margin', money(m.margin.margin));
  setField(
    'marginPct',
    m.margin.marginPct === null ? 'no billing yet' : `${percent(m.margin.marginPct)} of ${money(m.margin.billing)}`,
  );
  setField('activeCustomers', number(m.activeCustomers));
  setField('prospects', number(m.prospectsInPipeline));

  const p = m.pipeline;
  setField('created', number(p.created));
  setField('won', number(p.won));
  setField('lost', number(p.lost));
  setField('wonValue', money(p.wonValue));
  setField('openCount', number(p.openCount));
  setField('openValue', money(p.openValue));
  setField('hitRate', p.hitRate === null ? '–' : percent(100 * p.hitRate));
  setField('avgDealSize', money(p.avgDealSize));
  setField('leadTimeDays', p.leadTimeDays === null ? '–' : `${number(p.leadTimeDays, 1)} d`);

  Object.assign(fresh, {
    nps: nps.updatedAt,
    billing: b.updatedAt,
    margin: m.margin.updatedAt,
    customers: m.customersUpdatedAt,
    pipeline: p.updatedAt,
  });
};

type Headline = MetricsAnswer['comparisons']['yearToDate'];

/** The headline tiles' comparisons, as the API gives them: previous period, a year ago, to date, year to date. */
const renderComparisons = (m: MetricsAnswer): void => {
  const c = m.comparisons;
  const rows: [string, Headline, Headline | null][] = [
    [`vs ${monthName(c.previous.period)}`, c.previous, null],
    ...(c.yearAgo ? [[`vs ${monthName(c.yearAgo.period)}`, c.yearAgo, null] as [string, Headline, null]] : []),
    ...(c.toDate
      ? [
          [`to ${day(c.toDate.through)} vs same days before`, c.toDate.current, c.toDate.previous] as [
            string,
            Headline,
            Headline,
          ],
        ]
      : []),
    [`${m.period.slice(0, 4)} to date`, c.yearToDate, null],
  ];
  const list = (key: 'nps' | 'billing', value: (h: Headline) => string) =>
    document.querySelector(`[data-compare="${key}"]`)?.replaceChildren(
      ...rows.map(([label, h, against]) => {
        const li = el('li');
        li.append(`${label}: `, el('strong', '', against ? `${value(h)} vs ${value(against)}` : value(h)));
        return li;
      }),
    );
  list('billing', (h) => money(h.billing));
  list('nps', (h) => `${signed(h.nps.score)} (n=${h.nps.responses})`);
};

/** My KPIs: one bar per KPI of the user's profile, actual against target. */
export const renderKpis = (k: KpisAnswer, fresh: Freshness): void => {
  $('mine-error').textContent = '';
  $('mine-profile').textContent =
    `${k.user.name} · profile ${k.profile.name} · CRM owner ${k.user.ownerIds.join(', ')}`;
  const items = k.kpis.map((kpi, i) => {
    const [lvl, verdict] = level(percentScale(kpi));
    const li = el('li', `lvl-${lvl}`);
    li.dataset.template = kpi.template;
    const head = el('div', 'row');
    head.append(el('h3', '', kpiTitle(kpi)), el('span', 'verdict', verdict));
    // The figure and its target first, as a sales director reads them; the score (actual / target) after.
    const figure = el('p', 'fig');
    figure.append(
      el('span', 'actual', inUnit(kpi.actual, kpi.unit)),
      el('span', 'target', `target ${inUnit(kpi.target, kpi.unit)}`),
    );
    const bar = gauge(Math.min(100, Math.max(0, percentScale(kpi) ?? 0)));
    bar.setAttribute('aria-hidden', 'true');
    const score = el('p', 'score-line');
    // A ratio in percent of target, or, for a figure that can be negative (NPS), points against it.
    score.append(
      el('span', 'pct', inUnit(kpi.score, kpi.scoreUnit)),
      kpi.scoreUnit === 'points' ? ' against target' : ' of target',
    );
    const when = el('p', 'fresh');
    when.dataset.fresh = `kpi${i}`;
    fresh[`kpi${i}`] = kpi.updatedAt;
    li.append(head, figure, bar, score, when);
    return li;
  });
  $('gauges').replaceChildren(...items);
};

/** Empties My KPIs, with a message (why) or without. */
export const clearKpis = (message: string): void => {
  $('mine-error').textContent = message;
  $('mine-profile').textContent = '';
  $('gauges').replaceChildren();
};

export const renderSegments = (s: SegmentsAnswer, fresh: Freshness): void => {
  $('by-head').textContent = s.by.charAt(0).toUpperCase() + s.by.slice(1);
  const row = (g: SegmentsAnswer['segments'][number]) => [
    namedCell(g.name, g.label),
    el('td', 'num', signed(g.nps.score)),
    el('td', 'num', number(g.nps.responses)),
    el('td', 'num', money(g.billing)),
    el('td', 'num', money(g.avgBasket)),
    el('td', 'num', money(g.wonValue)),
  ];
  rows('segments', s.segments, 6, 'No figures in this period.', row);
  const total = el('tr');
  total.append(...row({ ...s.total, label: 'Total' }));
  $('segments-total').replaceChildren(...(s.segments.length > 1 ? [total] : []));
  fresh.segments = s.updatedAt;
};

/** Other currencies' spend and CAC part, never converted: `also $500 spent (CAC part $250)`. */
const otherSpend = (others: AcquisitionAnswer['otherCurrencies']): string =>
  Object.entries(others)
    .map(([code, o]) => `${money(o.spend, code)} spent${o.cac === null ? '' : ` (CAC part ${money(o.cac, code)})`}`)
    .join(', ');

/** Customer acquisition: the month's CAC, CAC per channel, and the average basket per segment. */
export const renderAcquisition = (a: AcquisitionAnswer, fresh: Freshness): void => {
  setField('newCustomers', number(a.newCustomers));
  setField('acquisitionSpend', money(a.spend));
  setField('cac', a.cac === null ? 'no new customers' : money(a.cac));
  const others = otherSpend(a.otherCurrencies);
  setField('acquisitionOther', others ? `also ${others}` : '');
  const most = Math.max(1, a.newCustomers);
  rows('cac-channels', a.byChannel, 5, 'No spend and no new customers in this period.', (c) => {
    const share = el('td');
    const bar = gauge((100 * c.newCustomers) / most);
    bar.setAttribute('aria-hidden', 'true');
    share.append(el('span', 'sr-only', percent((100 * c.newCustomers) / most)), bar);
    const extra = otherSpend(c.otherCurrencies);
    const cac = el('td', 'num', c.cac === null ? '–' : money(c.cac));
    if (extra) cac.append(el('span', 'sub', ` + ${extra}`));
    return [cell(c.channel), el('td', 'num', number(c.newCustomers)), el('td', 'num', money(c.spend)), cac, share];
  });
  rows('baskets', a.bySegment, 5, 'No billing and no new customers in this period.', (s) => [
    cell(s.segment),
    el('td', 'num', number(s.newCustomers)),
    el('td', 'num', number(s.billedCustomers)),
    el('td', 'num', money(s.billing)),
    el('td', 'num', money(s.basketPerCustomer)),
  ]);
  fresh.acquisition = a.updatedAt;
};

/** An expected close date and how many days ago it passed. */
const late = (date: string) => `${day(date)} · ${Math.floor((Date.now() - Date.parse(date)) / 86400000)} d late`;

export const renderCoaching = (c: CoachingAnswer, fresh: Freshness): void => {
  const num = (n: number) => el('td', 'num', number(n));
  rows('sources', c.bySource, 4, 'No deals created.', (x) => [
    cell(x.source),
    num(x.created),
    num(x.won),
    el('td', 'num', x.conversionRate === null ? '–' : percent(100 * x.conversionRate)),
  ]);
  rows('stages', c.openByStage, 3, 'No open deals.', (x) => [
    // Stage ids repeat across sources (Pipedrive's 4, HubSpot's 4): the tooltip says whose.
    namedCell(x.stageName, x.stage, x.stage === null ? null : `${x.stage} (${x.source})`),
    num(x.openCount),
    el('td', 'num', money(x.openValue)),
  ]);
  rows('stale', c.staleDeals, 6, 'None: every open deal is on schedule.', (d) => [
    namedCell(d.title, `${d.id} (${d.source})`),
    namedCell(d.stageName, d.stage),
    namedCell(d.ownerName, d.ownerId),
    namedCell(d.customerName, d.customerId),
    cell(d.expectedCloseDate === null ? null : late(d.expectedCloseDate), 'when'),
    cell(dateTime(d.lastChangeAt), 'when'),
  ]);
  $('stale-count').textContent = c.staleDeals.length ? String(c.staleDeals.length) : '';
  const most = Math.max(1, ...c.lostReasons.map((r) => r.lost));
  $('lost').replaceChildren(
    ...(c.lostReasons.length
      ? c.lostReasons.map((r) => {
          const li = el('li');
          li.append(
            r.reason === null ? el('span', 'none', 'no reason given') : el('span', '', r.reason),
            el('strong', '', number(r.lost)),
            gauge((100 * r.lost) / most),
          );
          return li;
        })
      : [el('li', 'none', 'No deals lost.')]),
  );
  fresh.coaching = c.updatedAt;
};

export const renderDetractors = (d: DetractorsAnswer): void => {
  const items = d.detractors.map((r) => {
    const tr = el('tr');
    const score = el('td', 'num');
    score.append(el('span', 'score', r.score));
    tr.append(
      score,
      cell(r.comment, 'comment'),
      cell(r.contact),
      namedCell(r.customerName, r.customerId),
      cell(dateTime(r.submittedAt), 'when'),
    );
    return tr;
  });
  $('detractors').replaceChildren(...items);
  $('detractors-empty').hidden = items.length > 0;
};

/** The live feed of detractor alerts: after the first answer, alerts not seen before are marked new. */
export const makeAlertFeed = (fresh: Freshness): ((a: AlertsAnswer) => void) => {
  const seen = new Set<string>();
  let first = true;
  return (a) => {
    const items = a.alerts.map((alert) => {
      const li = el('li', first || seen.has(alert.key) ? '' : 'new');
      seen.add(alert.key);
      const meta = el('div', 'meta');
      const answered = el('time', '', `answered ${dateTime(alert.submittedAt)}`);
      answered.dateTime = alert.submittedAt;
      meta.append(el('strong', '', `Score ${alert.score}`), answered);
      if (alert.customerId) {
        const customer = el('span', 'customer', `customer ${alert.customerName ?? alert.customerId}`);
        if (alert.customerName) customer.title = alert.customerId;
        meta.append(customer);
      }
      if (alert.contact) meta.append(el('span', '', alert.contact));
      li.append(meta);
      const stake = alert.atStake;
      if (stake) {
        const dl = el('dl', 'stake');
        const add = (term: string, value: string | null) => {
          if (value === null) return;
          const div = el('div');
          div.append(el('dt', '', term), el('dd', '', value));
          dl.append(div);
        };
        add('Billed this year', money(stake.billingThisYear, stake.currency));
        add('Open pipeline', `${money(stake.openPipelineValue, stake.currency)} (${inUnit(stake.openDeals, 'deals')})`);
        add('Segment', stake.segment);
        add('Owner', alert.ownerName ?? stake.owner);
        li.append(dl);
      }
      if (alert.comment) li.append(el('p', '', alert.comment));
      return li;
    });
    first = false;
    $('alerts').replaceChildren(...items);
    $('alerts-empty').hidden = items.length > 0;
    fresh.alerts = a.alerts[0] ? a.alerts[0].raisedAt : null;
  };
};

const requirementRow = (
  label: string,
  required: number | null,
  actual: number | null,
  format: (n: number | null) => string,
) => {
  const tr = el('tr');
  const th = el('th', '', label);
  th.scope = 'row';
  tr.append(th, el('td', 'num', format(required)), el('td', 'num', format(actual)));
  const status = el('td');
  // A missing actual figure counts as 0.
  const have = actual ?? 0;
  if (required === null) status.append(el('span', 'none', 'no closed deals to go by'));
  else if (have >= required) status.append(el('span', 'ok', 'on track'));
  else status.append(el('span', 'short', `short by ${format(required - have)}`));
  tr.append(status);
  return tr;
};

/** The requirements calculator's answer: required figures beside the actual ones, and what they rest on. */
export const renderRequirements = (r: RequirementsAnswer): void => {
  const deals = (n: number | null) => number(n, 1);
  $('req-rows').replaceChildren(
    requirementRow('New pipeline value', r.requiredNewValuePerMonth, r.actualNewValuePerMonth, money),
    requirementRow('New deals', r.requiredNewCountPerMonth, r.actualNewCountPerMonth, deals),
    requirementRow('Open pipeline value', r.requiredPipelineValue, r.actualPipelineValue, money),
  );
  $('req-basis').textContent =
    `From ${r.basedOn.from} to ${r.basedOn.to}: hit rate ${r.hitRate === null ? '–' : percent(100 * r.hitRate)}, ` +
    `average deal ${money(r.avgDealSize)}, lead time ${r.leadTimeDays === null ? '–' : `${number(r.leadTimeDays, 1)} days`}.`;
  $('req-result').hidden = false;
  renderWhatIf(r);
};

const LEVER_NAMES = {
  hitRate: 'Hit rate',
  dealSize: 'Deal size',
  leadTime: 'Lead time',
  opportunities: 'Opportunities',
};

/** The what-if scenarios: each change alone, then all together, and the lever that helps most. */
const renderWhatIf = (r: RequirementsAnswer): void => {
  const w = r.whatIf;
  $('whatif-result').hidden = w === null;
  if (w === null) return;
  const name = (changes: Record<string, string>) =>
    Object.entries(changes)
      .map(([lever, change]) => `${LEVER_NAMES[lever as keyof typeof LEVER_NAMES] ?? lever} ${change}`)
      .join(', ');
  const scenarios = [...w.scenarios, ...(w.combined ? [w.combined] : [])];
  $('whatif-rows').replaceChildren(
    ...scenarios.map((s) => {
      const tr = el('tr');
      const th = el('th', '', name(s.changes));
      th.scope = 'row';
      const velocity = s.salesVelocityChangePct;
      tr.append(
        th,
        el('td', 'num', money(s.requiredNewValuePerMonth)),
        el('td', 'num', number(s.requiredNewCountPerMonth, 1)),
        el('td', 'num', money(s.requiredPipelineValue)),
        el('td', 'num', velocity === null ? '–' : `${velocity > 0 ? '+' : ''}${number(velocity, 1)} %`),
      );
      return tr;
    }),
  );
  const best = w.scenarios.find((s) => w.bestLever !== null && w.bestLever in s.changes);
  $('whatif-best').textContent = best
    ? `Helps most: ${name(best.changes)} (the largest gain in sales velocity, opportunities × deal size × hit rate ÷ lead time).`
    : 'No lever can be compared yet: there are no closed deals to go by.';
};
