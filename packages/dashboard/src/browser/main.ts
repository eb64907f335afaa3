/**
 * The page's script (bundled by ../build.ts into ../generated/script.ts, which index.ts inlines). It polls
 * the query API with If-None-Match and touches the DOM only when an answer changed; every value from the API
 * is written with textContent, never as markup. The period, user and breakdown live in the URL.
 */
import type { Dimension } from '@flash/core';
import { AuthNeeded, makeApi, type UsersAnswer } from './api.js';
import { $, labelCells } from './dom.js';
import { forecastQuery, renderForecast, renderStageTimes } from './forecast.js';
import { ago } from './format.js';
import {
  clearKpis,
  type Freshness,
  makeAlertFeed,
  renderAcquisition,
  renderCoaching,
  renderDetractors,
  renderKpis,
  renderMetrics,
  renderRequirements,
  renderSegments,
} from './render.js';
import { renderTrends, seriesQuery } from './trends.js';
import { isTv, startTv } from './tv.js';

const POLL_MS = 5000;
const TOKEN_KEY = 'flash-figures-token';
const BY: readonly Dimension[] = ['segment', 'channel', 'owner'];
const isDimension = (value: string | null): value is Dimension => BY.some((d) => d === value);

const api = makeApi(document.documentElement.dataset.api || '', TOKEN_KEY);
const fresh: Freshness = {};
const renderAlerts = makeAlertFeed(fresh);
const params = new URLSearchParams(location.search);
const tv = isTv(params);
// A wallboard link carries its (read-only) token in the fragment, which no server or log sees: keep it for
// the tab and take it out of the address bar.
const linkToken = new URLSearchParams(location.hash.slice(1)).get('token');
if (linkToken) {
  sessionStorage.setItem(TOKEN_KEY, linkToken);
  history.replaceState(null, '', location.pathname + location.search);
}
let period = params.get('period') || '';
let user = params.get('user') || '';
const byParam = params.get('by');
let by: Dimension = isDimension(byParam) ? byParam : 'segment';
let userCount = 0;
let timer = 0;
let lastCheck = 0;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const setQuery = (name: string, value: string) => {
  const url = new URL(location.href);
  url.searchParams.set(name, value);
  history.replaceState(null, '', url);
};

const renderUsers = (u: UsersAnswer) => {
  userCount = u.users.length;
  if (!user && u.users[0]) user = u.users[0].id;
  const options = u.users.map((x) => new Option(`${x.name} (${x.id})`, x.id));
  if (user && userCount && !u.users.some((x) => x.id === user)) options.push(new Option(`${user} (unknown)`, user));
  $('user').replaceChildren(...options);
  $('user').value = user;
  $('user-form').hidden = !userCount;
  $('mine-empty').hidden = userCount > 0;
};

const forgetKpis = (message: string) => {
  clearKpis(message);
  api.forget('kpis');
};

/** Users, then the chosen user's KPIs; a KPI error (unknown user) stays in its panel. */
const pollMine = async () => {
  const users = await api.get('users');
  if (users) renderUsers(users);
  if (!userCount) {
    forgetKpis('');
    const p = await api.get('profiles');
    if (p)
      $('mine-profiles').textContent = p.profiles.length
        ? `Profiles: ${p.profiles.map((x) => `${x.name} (${x.id})`).join(', ')}; no users yet.`
        : 'No KPI profiles or users yet.';
    return;
  }
  try {
    const kpis = await api.get('kpis', `?user=${encodeURIComponent(user)}`);
    if (kpis) renderKpis(kpis, fresh);
  } catch (error) {
    if (error instanceof AuthNeeded) throw error;
    forgetKpis(messageOf(error));
  }
};

/** The 12-month trends; an API without the series route (an older deployment) leaves the rest of the page live. */
const pollTrends = async () => {
  try {
    const series = await api.get('series', seriesQuery(period));
    if (series) renderTrends(series);
    $('trends-error').textContent = '';
  } catch (error) {
    if (error instanceof AuthNeeded) throw error;
    $('trends-error').textContent = `Trends unavailable: ${messageOf(error)}`;
    api.forget('series');
  }
};

/** The forecast of the period's year and the time-in-stage table; an error stays in their panel. */
const pollForecast = async () => {
  try {
    const [forecast, stageTimes] = await Promise.all([
      api.get('forecast', forecastQuery(period)),
      api.get('stageTimes'),
    ]);
    if (forecast) {
      renderForecast(forecast);
      fresh.forecast = forecast.updatedAt;
    }
    if (stageTimes) renderStageTimes(stageTimes);
    $('forecast-error').textContent = '';
  } catch (error) {
    if (error instanceof AuthNeeded) throw error;
    $('forecast-error').textContent = `Forecast unavailable: ${messageOf(error)}`;
    api.forget('forecast');
    api.forget('stageTimes');
  }
};

const setStatus = (text: string, state: 'live' | 'down') => {
  const s = $('status');
  s.textContent = text;
  s.className = `status ${state}`;
};

/** Rewrites how long ago each figure changed, and when the API was last checked. */
const tick = () => {
  document.querySelectorAll<HTMLElement>('[data-fresh]').forEach((e) => {
    const at = fresh[e.dataset.fresh ?? ''];
    e.textContent = at ? `updated ${ago(at)}` : at === null ? 'no data yet' : '';
    e.title = at ? new Date(at).toLocaleString() : '';
  });
  if (lastCheck && $('status').classList.contains('live'))
    $('status').textContent = `Live · checked ${ago(new Date(lastCheck).toISOString())}`;
};

const askToken = (message: string) => {
  window.clearTimeout(timer);
  setStatus('Waiting for an access token', 'down');
  $('auth-error').textContent = message;
  const dialog = $('auth');
  if (!dialog.open) dialog.showModal();
  $('token').focus();
};

const periodQuery = (separator: '?' | '&' = '?') => (period ? `${separator}period=${encodeURIComponent(period)}` : '');

const poll = async () => {
  window.clearTimeout(timer);
  try {
    const metrics = await api.get('metrics', periodQuery());
    if (metrics) {
      if (!period) {
        period = metrics.period;
        $('period').value = period;
      }
      renderMetrics(metrics, fresh);
    }
    await pollTrends();
    await pollForecast();
    const [detractors, alerts, segments, coaching, acquisition] = await Promise.all([
      api.get('detractors', periodQuery()),
      api.get('alerts'),
      api.get('segments', `?by=${by}${periodQuery('&')}`),
      api.get('coaching', periodQuery()),
      api.get('acquisition', periodQuery()),
      // A wallboard shows a user's KPIs only when its URL names the user, and never the configuration hints.
      tv && !user ? undefined : pollMine(),
    ]);
    if (detractors) renderDetractors(detractors);
    if (alerts) renderAlerts(alerts);
    if (segments) renderSegments(segments, fresh);
    if (coaching) renderCoaching(coaching, fresh);
    if (acquisition) renderAcquisition(acquisition, fresh);
    labelCells();
    lastCheck = Date.now();
    setStatus('Live', 'live');
    tick();
  } catch (error) {
    if (error instanceof AuthNeeded) {
      askToken(error.message);
      return;
    }
    setStatus(`Offline, retrying: ${messageOf(error)}`, 'down');
  }
  timer = window.setTimeout(poll, POLL_MS);
};

/** The what-if changes entered, as the API takes them: hit rate in points, the others relative. */
const whatIfQuery = (): string =>
  (
    [
      ['hitRate', $('wi-hitRate').value, 'pt'],
      ['dealSize', $('wi-dealSize').value, '%'],
      ['leadTime', $('wi-leadTime').value, '%'],
      ['opportunities', $('wi-opportunities').value, '%'],
    ] as const
  )
    .filter(([, value]) => value.trim() !== '' && Number(value) !== 0)
    .map(([lever, value, unit]) => {
      const n = Number(value);
      return `&${lever}=${encodeURIComponent(`${n > 0 ? '+' : '-'}${Math.abs(n)}${unit}`)}`;
    })
    .join('');

/** The requirements calculator: what the pipeline must hold for the monthly budget entered. */
const calculate = async () => {
  const budget = $('budget').value;
  $('req-error').textContent = '';
  if (!(Number(budget) > 0)) {
    $('req-error').textContent = 'Enter a monthly budget above zero.';
    $('req-result').hidden = true;
    return;
  }
  const query = `?budget=${encodeURIComponent(budget)}&months=${encodeURIComponent($('months').value)}${periodQuery('&')}${whatIfQuery()}`;
  try {
    const r = await api.get('requirements', query);
    if (r) renderRequirements(r);
    labelCells();
  } catch (error) {
    if (error instanceof AuthNeeded) askToken(error.message);
    else $('req-error').textContent = messageOf(error);
  }
};

$('req-form').addEventListener('submit', (event) => {
  event.preventDefault();
  calculate();
});

$('period-form').addEventListener('submit', (event) => event.preventDefault());
$('period').addEventListener('change', () => {
  if (!/^\d{4}-\d{2}$/.test($('period').value)) return;
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
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !isDimension(input.value)) return;
  by = input.value;
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
$('by')
  .querySelectorAll('input')
  .forEach((input) => {
    input.checked = input.value === by;
  });
if (tv) startTv(params);
window.setInterval(tick, 1000);
poll();
