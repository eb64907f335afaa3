/**
 * The page's script (plain browser JavaScript, kept as a string so the server needs no loader). It polls the
 * query API with If-None-Match and touches the DOM only when an answer changed; every value from the API is
 * written with textContent, never as markup.
 */
export const script = `
'use strict';
(() => {
  const API = document.documentElement.dataset.api || '';
  const POLL_MS = 5000;
  const TOKEN_KEY = 'flash-figures-token';
  const shown = new Map();
  const fresh = {};
  const seenAlerts = new Set();
  const params = new URLSearchParams(location.search);
  const BY = ['segment', 'channel', 'owner'];
  let period = params.get('period') || '';
  let user = params.get('user') || '';
  let by = BY.includes(params.get('by')) ? params.get('by') : 'segment';
  let userCount = 0;
  let currency = 'EUR';
  let timer = 0;
  let lastCheck = 0;
  let firstAlerts = true;

  const $ = (id) => document.getElementById(id);
  const fields = (name) => document.querySelectorAll('[data-field="' + name + '"]');
  const setField = (name, value) => { for (const e of fields(name)) e.textContent = value; };
  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };

  const locale = undefined;
  const number = (n, digits) =>
    n === null || n === undefined ? '–' : new Intl.NumberFormat(locale, { maximumFractionDigits: digits ?? 0 }).format(n);
  const money = (n, code) =>
    n === null || n === undefined
      ? '–'
      : new Intl.NumberFormat(locale, { style: 'currency', currency: code || currency, maximumFractionDigits: 0 }).format(n);
  const percent = (n) => (n === null || n === undefined ? '–' : number(n, 1) + ' %');
  const dateTime = (iso) =>
    new Date(iso).toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const day = (date) =>
    new Date(date.slice(0, 10) + 'T00:00Z').toLocaleDateString(locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
  const ago = (iso) => {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return 'on ' + dateTime(iso);
  };

  class AuthNeeded extends Error {}

  /**
   * GET for one block of the page ("slot"). It revalidates only what the slot shows: resolves to the new body,
   * or to null when the server answered 304, so the DOM stays as it is.
   */
  const get = async (slot, path) => {
    const url = API + path;
    const current = shown.get(slot);
    const headers = { Accept: 'application/json' };
    if (current && current.url === url) headers['If-None-Match'] = current.etag;
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    // no-store: the browser's cache would turn our 304s into 200s and hide that nothing changed.
    const res = await fetch(url, { headers, cache: 'no-store' });
    if (res.status === 304 && headers['If-None-Match']) return null;
    // The API answers 401; API Gateway's authorizer answers 403 to a wrong token.
    if (res.status === 401 || res.status === 403) throw new AuthNeeded(token ? 'That token was refused.' : '');
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || 'HTTP ' + res.status);
    shown.set(slot, { url, etag: res.headers.get('ETag') });
    return body;
  };

  const renderMetrics = (m) => {
    currency = m.currency;
    if (!period) {
      period = m.period;
      $('period').value = period;
    }
    setField('currency', '(' + m.currency + ')');
    const nps = m.nps;
    setField('npsScore', nps.score === null ? '–' : (nps.score > 0 ? '+' : '') + number(nps.score, 1));
    setField('npsResponses', nps.responses === 1 ? '1 response' : number(nps.responses) + ' responses');
    for (const k of ['promoters', 'passives', 'detractors']) {
      setField(k, number(nps[k]));
      document.querySelector('#nps-bar .' + k).style.width = nps.responses ? (100 * nps[k]) / nps.responses + '%' : '0';
    }
    $('nps-bar').setAttribute(
      'aria-label',
      nps.responses
        ? nps.promoters + ' promoters, ' + nps.passives + ' passives, ' + nps.detractors + ' detractors'
        : 'No responses yet',
    );

    const b = m.billing;
    setField('billingThisMonth', money(b.thisMonth));
    const change = fields('billingChange')[0];
    change.textContent = b.changePct === null ? '' : (b.changePct > 0 ? '▲ +' : b.changePct < 0 ? '▼ ' : '') + number(b.changePct, 1) + ' %';
    change.className = 'change' + (b.changePct > 0 ? ' up' : b.changePct < 0 ? ' down' : '');
    setField('billingLastMonth', 'vs ' + money(b.lastMonth) + ' last month');
    const others = Object.entries(b.otherCurrencies).map(([code, v]) => money(v.thisMonth, code));
    setField('billingOther', others.length ? 'also ' + others.join(', ') : '');

    setField('marginTitle', 'Margin ' + m.margin.year);
    setField('margin', money(m.margin.margin));
    setField('marginPct', m.margin.marginPct === null ? 'no billing yet' : percent(m.margin.marginPct) + ' of ' + money(m.margin.billing));
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
    setField('leadTimeDays', p.leadTimeDays === null ? '–' : number(p.leadTimeDays, 1) + ' d');

    Object.assign(fresh, {
      nps: nps.updatedAt,
      billing: b.updatedAt,
      margin: m.margin.updatedAt,
      customers: m.customersUpdatedAt,
      pipeline: p.updatedAt,
    });
  };

  const setQuery = (name, value) => {
    const url = new URL(location.href);
    url.searchParams.set(name, value);
    history.replaceState(null, '', url);
  };

  const TITLES = {
    wonValue: 'Won value this month',
    dealsCreated: 'Deals created this month',
    hitRate: 'Hit rate',
    nps: 'NPS of my customers',
    openDealsPlanned: 'Deals planned to close',
  };
  const kpiTitle = (k) =>
    k.label !== k.template
      ? k.label
      : (TITLES[k.template] || k.template) + (k.months ? ', last ' + k.months + ' months' : k.days ? ', next ' + k.days + ' days' : '');
  const inUnit = (n, unit) =>
    n === null || n === undefined
      ? '–'
      : unit === 'percent'
        ? number(n, 1) + ' %'
        : unit === 'points'
          ? (n > 0 ? '+' : '') + number(n, 1) + ' pts'
          : /^[A-Z]{3}$/.test(unit)
            ? money(n, unit)
            : number(n, 1) + ' ' + (unit === 'deals' && n === 1 ? 'deal' : unit);
  const level = (score) =>
    score === null ? ['none', 'no data'] : score < 50 ? ['bad', 'far behind'] : score < 100 ? ['warn', 'behind'] : ['good', 'on target'];

  const renderUsers = (u) => {
    userCount = u.users.length;
    if (!user && u.users[0]) user = u.users[0].id;
    const options = u.users.map((x) => {
      const o = el('option', '', x.name + ' (' + x.id + ')');
      o.value = x.id;
      return o;
    });
    if (user && userCount && !u.users.some((x) => x.id === user)) {
      const o = el('option', '', user + ' (unknown)');
      o.value = user;
      options.push(o);
    }
    $('user').replaceChildren(...options);
    $('user').value = user;
    $('user-form').hidden = !userCount;
    $('mine-empty').hidden = userCount > 0;
  };

  const renderKpis = (k) => {
    $('mine-error').textContent = '';
    $('mine-profile').textContent = k.user.name + ' · profile ' + k.profile.name + ' · CRM owner ' + k.user.ownerIds.join(', ');
    const items = k.kpis.map((kpi, i) => {
      const [lvl, verdict] = level(kpi.score);
      const li = el('li', 'lvl-' + lvl);
      li.dataset.template = kpi.template;
      const head = el('div', 'row');
      head.append(el('h3', '', kpiTitle(kpi)), el('span', 'verdict', verdict));
      const nums = el('div', 'row');
      nums.append(
        el('span', 'pct', kpi.score === null ? '–' : number(kpi.score, 1) + ' %'),
        el('span', 'sub', (kpi.actual === null ? 'target ' : inUnit(kpi.actual, kpi.unit) + ' of ') + inUnit(kpi.target, kpi.unit)),
      );
      const bar = el('div', 'gauge');
      bar.setAttribute('aria-hidden', 'true');
      bar.append(el('span'));
      bar.firstChild.style.width = Math.min(100, Math.max(0, kpi.score || 0)) + '%';
      const when = el('p', 'fresh');
      when.dataset.fresh = 'kpi' + i;
      fresh['kpi' + i] = kpi.updatedAt;
      li.append(head, nums, bar, when);
      return li;
    });
    $('gauges').replaceChildren(...items);
  };

  const clearKpis = (message) => {
    $('mine-error').textContent = message;
    $('mine-profile').textContent = '';
    $('gauges').replaceChildren();
    shown.delete('kpis');
  };

  /** Users, then the chosen user's KPIs; a KPI error (unknown user) stays in its panel. */
  const pollMine = async () => {
    const users = await get('users', '/v1/users');
    if (users) renderUsers(users);
    if (!userCount) {
      clearKpis('');
      const p = await get('profiles', '/v1/profiles');
      if (p)
        $('mine-profiles').textContent = p.profiles.length
          ? 'Profiles: ' + p.profiles.map((x) => x.name + ' (' + x.id + ')').join(', ') + '; no users yet.'
          : 'No KPI profiles or users yet.';
      return;
    }
    try {
      const kpis = await get('kpis', '/v1/kpis?user=' + encodeURIComponent(user));
      if (kpis) renderKpis(kpis);
    } catch (error) {
      if (error instanceof AuthNeeded) throw error;
      clearKpis(error.message);
    }
  };

  const emptyRow = (cols, text) => {
    const tr = el('tr');
    const td = el('td', 'none', text);
    td.colSpan = cols;
    tr.append(td);
    return tr;
  };
  const rows = (id, list, cols, empty, cells) =>
    $(id).replaceChildren(
      ...(list.length
        ? list.map((x) => {
            const tr = el('tr');
            tr.append(...cells(x));
            return tr;
          })
        : [emptyRow(cols, empty)]),
    );
  const signed = (n) => (n === null ? '–' : (n > 0 ? '+' : '') + number(n, 1));

  const renderSegments = (s) => {
    $('by-head').textContent = s.by[0].toUpperCase() + s.by.slice(1);
    const row = (g) => [
      cell(g.label),
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

  const renderCoaching = (c) => {
    const num = (n) => el('td', 'num', number(n));
    rows('sources', c.bySource, 4, 'No deals created.', (x) => [
      cell(x.source),
      num(x.created),
      num(x.won),
      el('td', 'num', x.conversionRate === null ? '–' : percent(100 * x.conversionRate)),
    ]);
    rows('stages', c.openByStage, 3, 'No open deals.', (x) => [cell(x.stage), num(x.openCount), el('td', 'num', money(x.openValue))]);
    rows('stale', c.staleDeals, 6, 'None: every open deal is on schedule.', (d) => [
      cell(d.id + ' (' + d.source + ')'),
      cell(d.stage),
      cell(d.ownerId),
      cell(d.customerId),
      cell(day(d.expectedCloseDate) + ' · ' + Math.floor((Date.now() - Date.parse(d.expectedCloseDate)) / 86400000) + ' d late', 'when'),
      cell(dateTime(d.lastChangeAt), 'when'),
    ]);
    $('stale-count').textContent = c.staleDeals.length ? String(c.staleDeals.length) : '';
    const most = Math.max(1, ...c.lostReasons.map((r) => r.lost));
    $('lost').replaceChildren(
      ...(c.lostReasons.length
        ? c.lostReasons.map((r) => {
            const li = el('li');
            const bar = el('div', 'gauge');
            bar.append(el('span'));
            bar.firstChild.style.width = (100 * r.lost) / most + '%';
            li.append(r.reason === null ? el('span', 'none', 'no reason given') : el('span', '', r.reason), el('strong', '', number(r.lost)), bar);
            return li;
          })
        : [el('li', 'none', 'No deals lost.')]),
    );
    fresh.coaching = c.updatedAt;
  };

  const cell = (text, className) => {
    const td = el('td', className);
    if (text === null || text === undefined || text === '') td.append(el('span', 'none', 'none'));
    else td.textContent = text;
    return td;
  };

  const renderDetractors = (d) => {
    const rows = d.detractors.map((r) => {
      const tr = el('tr');
      const score = el('td', 'num');
      score.append(el('span', 'score', r.score));
      tr.append(score, cell(r.comment, 'comment'), cell(r.contact), cell(r.customerId), cell(dateTime(r.submittedAt), 'when'));
      return tr;
    });
    $('detractors').replaceChildren(...rows);
    $('detractors-empty').hidden = rows.length > 0;
  };

  const renderAlerts = (a) => {
    const items = a.alerts.map((alert) => {
      const li = el('li', firstAlerts || seenAlerts.has(alert.key) ? '' : 'new');
      seenAlerts.add(alert.key);
      const meta = el('div', 'meta');
      const when = el('time', '', dateTime(alert.raisedAt));
      when.dateTime = alert.raisedAt;
      meta.append(el('strong', '', 'Score ' + alert.score), when);
      if (alert.customerId) meta.append(el('span', '', 'customer ' + alert.customerId));
      if (alert.contact) meta.append(el('span', '', alert.contact));
      li.append(meta);
      if (alert.comment) li.append(el('p', '', alert.comment));
      return li;
    });
    firstAlerts = false;
    $('alerts').replaceChildren(...items);
    $('alerts-empty').hidden = items.length > 0;
    fresh.alerts = a.alerts[0] ? a.alerts[0].raisedAt : null;
  };

  const setStatus = (text, state) => {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + state;
  };

  const tick = () => {
    for (const e of document.querySelectorAll('[data-fresh]')) {
      const at = fresh[e.dataset.fresh];
      e.textContent = at ? 'updated ' + ago(at) : at === null ? 'no data yet' : '';
      e.title = at ? new Date(at).toLocaleString(locale) : '';
    }
    if (lastCheck && $('status').classList.contains('live'))
      $('status').textContent = 'Live · checked ' + ago(new Date(lastCheck).toISOString());
  };

  const askToken = (message) => {
    clearTimeout(timer);
    setStatus('Waiting for an access token', 'down');
    $('auth-error').textContent = message;
    const dialog = $('auth');
    if (!dialog.open) dialog.showModal();
    $('token').focus();
  };

  const periodQuery = () => (period ? '?period=' + encodeURIComponent(period) : '');

  const poll = async () => {
    clearTimeout(timer);
    try {
      const metrics = await get('metrics', '/v1/metrics' + periodQuery());
      if (metrics) renderMetrics(metrics);
      const [detractors, alerts, segments, coaching] = await Promise.all([
        get('detractors', '/v1/nps/detractors' + periodQuery()),
        get('alerts', '/v1/alerts'),
        get('segments', '/v1/metrics/segments?by=' + by + (period ? '&period=' + encodeURIComponent(period) : '')),
        get('coaching', '/v1/coaching' + periodQuery()),
        pollMine(),
      ]);
      if (detractors) renderDetractors(detractors);
      if (alerts) renderAlerts(alerts);
      if (segments) renderSegments(segments);
      if (coaching) renderCoaching(coaching);
      lastCheck = Date.now();
      setStatus('Live', 'live');
      tick();
    } catch (error) {
      if (error instanceof AuthNeeded) return askToken(error.message);
      setStatus('Offline, retrying: ' + error.message, 'down');
    }
    timer = setTimeout(poll, POLL_MS);
  };

  const requirementRow = (label, required, actual, format) => {
    const tr = el('tr');
    tr.append(el('th', '', label), el('td', 'num', format(required)), el('td', 'num', format(actual)));
    tr.firstChild.scope = 'row';
    const status = el('td');
    if (required === null) status.append(el('span', 'none', 'no closed deals to go by'));
    else if (actual >= required) status.append(el('span', 'ok', 'on track'));
    else status.append(el('span', 'short', 'short by ' + format(required - actual)));
    tr.append(status);
    return tr;
  };

  const calculate = async () => {
    const budget = $('budget').value;
    $('req-error').textContent = '';
    if (!(Number(budget) > 0)) {
      $('req-error').textContent = 'Enter a monthly budget above zero.';
      $('req-result').hidden = true;
      return;
    }
    const query = '?budget=' + encodeURIComponent(budget) + '&months=' + encodeURIComponent($('months').value) + (period ? '&period=' + encodeURIComponent(period) : '');
    try {
      const r = await get('requirements', '/v1/pipeline/requirements' + query);
      if (!r) return;
      const deals = (n) => number(n, 1);
      $('req-rows').replaceChildren(
        requirementRow('New pipeline value', r.requiredNewValuePerMonth, r.actualNewValuePerMonth, money),
        requirementRow('New deals', r.requiredNewCountPerMonth, r.actualNewCountPerMonth, deals),
        requirementRow('Open pipeline value', r.requiredPipelineValue, r.actualPipelineValue, money),
      );
      $('req-basis').textContent =
        'From ' + r.basedOn.from + ' to ' + r.basedOn.to + ': hit rate ' + (r.hitRate === null ? '–' : percent(100 * r.hitRate)) +
        ', average deal ' + money(r.avgDealSize) + ', lead time ' + (r.leadTimeDays === null ? '–' : number(r.leadTimeDays, 1) + ' days') + '.';
      $('req-result').hidden = false;
    } catch (error) {
      if (error instanceof AuthNeeded) return askToken(error.message);
      $('req-error').textContent = error.message;
    }
  };

  $('req-form').addEventListener('submit', (event) => {
    event.preventDefault();
    calculate();
  });

  $('period-form').addEventListener('submit', (event) => event.preventDefault());
  $('period').addEventListener('change', () => {
    if (!/^\\d{4}-\\d{2}$/.test($('period').value)) return;
    period = $('period').value;
    setQuery('period', period);
    poll();
    if (!$('req-result').hidden) calculate();
  });

  $('user-form').addEventListener('submit', (event) => event.preventDefault());
  $('user').addEventListener('change', () => {
    user = $('user').value;
    setQuery('user', user);
    poll();
  });
  $('by').addEventListener('change', (event) => {
    by = event.target.value;
    setQuery('by', by);
    poll();
  });

  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    $('auth').close();
    poll();
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });

  if (period) $('period').value = period;
  for (const input of document.querySelectorAll('#by input')) input.checked = input.value === by;
  setInterval(tick, 1000);
  poll();
})();
`;
