/** The page's static markup; the script fills the `data-*`/id hooks with text only, never markup. */
export const markup = `
<header class="top">
  <h1>Flash figures</h1>
  <form class="period" id="period-form">
    <label for="period">Period</label>
    <input type="month" id="period" name="period" required>
  </form>
  <a class="tv-link" id="tv-link" href="?tv=1">TV mode</a>
  <p class="status" id="status" role="status">Connecting…</p>
</header>
<main>
  <section aria-labelledby="kpi-title">
    <h2 id="kpi-title" class="sr-only">Key figures</h2>
    <ul class="kpis">
      <li class="card" id="kpi-nps">
        <h3>NPS <span class="asof" data-field="periodName"></span></h3>
        <p class="big" data-field="npsScore">–</p>
        <p class="sub" data-field="npsResponses"></p>
        <ul class="compare" data-compare="nps"></ul>
        <div class="spark-host" data-spark="nps"></div>
        <p class="fresh" data-fresh="nps"></p>
      </li>
      <li class="card" id="kpi-billing">
        <h3>Billing <span class="asof" data-field="periodName"></span></h3>
        <p class="big" data-field="billingThisMonth">–</p>
        <p class="sub"><span class="change" data-field="billingChange"></span> <span data-field="billingLastMonth"></span></p>
        <p class="sub" data-field="billingOther"></p>
        <ul class="compare" data-compare="billing"></ul>
        <div class="spark-host" data-spark="billing"></div>
        <p class="fresh" data-fresh="billing"></p>
      </li>
      <li class="card" id="kpi-margin">
        <h3 data-field="marginTitle">Margin this year</h3>
        <p class="big" data-field="margin">–</p>
        <p class="sub" data-field="marginPct"></p>
        <p class="fresh" data-fresh="margin"></p>
      </li>
      <li class="card" id="kpi-customers">
        <h3>Active customers <span class="asof" data-asof></span></h3>
        <p class="big" data-field="activeCustomers">–</p>
        <p class="sub">with an open deal or project</p>
        <div class="spark-host" data-spark="customers"></div>
        <p class="fresh" data-fresh="customers"></p>
      </li>
      <li class="card" id="kpi-prospects">
        <h3>Prospects <span class="asof" data-asof></span></h3>
        <p class="big" data-field="prospects">–</p>
        <p class="sub">open deal, no project yet</p>
        <div class="spark-host" data-spark="prospects"></div>
        <p class="fresh" data-fresh="customers"></p>
      </li>
    </ul>
  </section>
  <section class="panel" id="trends-panel" aria-labelledby="trends-title" data-slide>
    <div class="panel-head"><h2 id="trends-title">Last 12 months</h2><p class="fresh" data-fresh="series"></p></div>
    <p class="error" id="trends-error" role="alert"></p>
    <div class="charts">
      <figure class="chart" id="trend-billing"><h3>Billing per month</h3></figure>
      <figure class="chart" id="trend-margin"><h3>Billing and margin, year to date</h3></figure>
      <figure class="chart" id="trend-nps"><h3>NPS per month</h3></figure>
      <figure class="chart" id="trend-pipeline"><h3>Pipeline flow</h3></figure>
    </div>
  </section>
  <section class="panel" id="forecast-panel" aria-labelledby="forecast-title" data-slide>
    <div class="panel-head"><h2 id="forecast-title">Forecast against budget, this year</h2><p class="fresh" data-fresh="forecast"></p></div>
    <p class="sub">Forecast: value sold, plus open deals in their expected close month times their stage's win probability.</p>
    <p class="error" id="forecast-error" role="alert"></p>
    <div class="charts">
      <figure class="chart" id="forecast-month"><h3>Per month</h3></figure>
      <figure class="chart" id="forecast-accumulated"><h3>Accumulated</h3></figure>
    </div>
    <p class="note" id="forecast-note"></p>
    <h3 id="stage-times-title">Time in stage</h3>
    <p class="sub">Days deals stay in each stage, lost deals by the stage they were lost at, and the share of closed deals reaching the stage that were won (n: closed deals; set: overridden).</p>
    <div class="table-wrap">
      <table aria-labelledby="stage-times-title">
        <thead><tr><th scope="col">Stage</th><th scope="col" class="num">Mean days</th><th scope="col" class="num">Median days</th><th scope="col" class="num">Lost here</th><th scope="col" class="num">Win probability</th></tr></thead>
        <tbody id="stage-times"></tbody>
      </table>
    </div>
  </section>
  <div class="grid">
    <section class="panel" id="nps-panel" data-slide aria-labelledby="nps-title">
      <div class="panel-head"><h2 id="nps-title">NPS breakdown</h2><p class="fresh" data-fresh="nps"></p></div>
      <div class="bar" id="nps-bar" role="img" aria-label="No responses yet">
        <span class="promoters"></span><span class="passives"></span><span class="detractors"></span>
      </div>
      <dl class="legend">
        <div class="promoters"><dt>Promoters (9–10)</dt><dd data-field="promoters">0</dd></div>
        <div class="passives"><dt>Passives (7–8)</dt><dd data-field="passives">0</dd></div>
        <div class="detractors"><dt>Detractors (0–6)</dt><dd data-field="detractors">0</dd></div>
      </dl>
      <h3 id="detractors-title">Detractors this period</h3>
      <div class="table-wrap">
        <table aria-labelledby="detractors-title">
          <thead><tr><th scope="col" class="num">Score</th><th scope="col">Comment</th><th scope="col">Contact</th><th scope="col">Customer</th><th scope="col">Submitted</th></tr></thead>
          <tbody id="detractors"></tbody>
        </table>
      </div>
      <p class="note" id="detractors-empty">No detractors in this period.</p>
    </section>
    <section class="panel" id="mine-panel" data-slide aria-labelledby="mine-title">
      <div class="panel-head"><h2 id="mine-title">My KPIs</h2>
        <form class="pick" id="user-form"><label for="user">User</label><select id="user" name="user"></select></form></div>
      <p class="sub" id="mine-profile"></p>
      <ul class="gauges" id="gauges"></ul>
      <p class="error" id="mine-error" role="alert"></p>
      <div class="note" id="mine-empty" hidden>
        <p><span id="mine-profiles">No KPI profiles or users yet.</span> Create a profile with its targets, then a user
          scored against it, whose <code>ownerIds</code> are their ids in the CRMs:</p>
        <pre>PUT /v1/profiles/sales {"name":"Sales","kpis":[{"template":"wonValue","target":50000},{"template":"hitRate","target":40}]}
PUT /v1/users/ann {"name":"Ann","profileId":"sales","ownerIds":["12415231"]}</pre>
        <p>Templates: wonValue, dealsCreated, hitRate, nps, openDealsPlanned.</p>
      </div>
    </section>
    <section class="panel" id="pipeline-panel" data-slide aria-labelledby="pipeline-title">
      <div class="panel-head"><h2 id="pipeline-title">Pipeline</h2><p class="fresh" data-fresh="pipeline"></p></div>
      <dl class="figures">
        <div><dt>Created</dt><dd data-field="created">–</dd></div>
        <div><dt>Won</dt><dd data-field="won">–</dd></div>
        <div><dt>Lost</dt><dd data-field="lost">–</dd></div>
        <div><dt>Won value</dt><dd data-field="wonValue">–</dd></div>
        <div><dt>Open deals <span class="asof" data-asof></span></dt><dd data-field="openCount">–</dd></div>
        <div><dt>Open value <span class="asof" data-asof></span></dt><dd data-field="openValue">–</dd></div>
        <div><dt>Hit rate</dt><dd data-field="hitRate">–</dd></div>
        <div><dt>Average deal</dt><dd data-field="avgDealSize">–</dd></div>
        <div><dt>Lead time</dt><dd data-field="leadTimeDays">–</dd></div>
      </dl>
      <form class="calc" id="req-form" novalidate>
        <h3>Requirements calculator</h3>
        <div class="field"><label for="budget">Monthly budget <span data-field="currency"></span></label>
          <input type="number" id="budget" name="budget" min="1" step="any" inputmode="decimal" required></div>
        <div class="field"><label for="months">Rates from the last</label>
          <select id="months" name="months"><option value="3">3 months</option><option value="6" selected>6 months</option><option value="12">12 months</option></select></div>
        <fieldset class="whatif">
          <legend>What if (optional, each alone and together)</legend>
          <div class="field"><label for="wi-hitRate">Hit rate ± points</label><input type="number" id="wi-hitRate" step="any" inputmode="decimal" placeholder="+2"></div>
          <div class="field"><label for="wi-dealSize">Deal size ± %</label><input type="number" id="wi-dealSize" step="any" inputmode="decimal"></div>
          <div class="field"><label for="wi-leadTime">Lead time ± %</label><input type="number" id="wi-leadTime" step="any" inputmode="decimal" placeholder="-1"></div>
          <div class="field"><label for="wi-opportunities">Opportunities ± %</label><input type="number" id="wi-opportunities" step="any" inputmode="decimal"></div>
        </fieldset>
        <button type="submit">Calculate</button>
      </form>
      <p class="error" id="req-error" role="alert"></p>
      <div class="table-wrap" id="req-result" hidden>
        <table>
          <caption class="sr-only">Required figures beside actual ones</caption>
          <thead><tr><th scope="col">Per month</th><th scope="col" class="num">Required</th><th scope="col" class="num">Actual</th><th scope="col">Status</th></tr></thead>
          <tbody id="req-rows"></tbody>
        </table>
        <p class="note" id="req-basis"></p>
      </div>
      <div class="table-wrap" id="whatif-result" hidden>
        <table>
          <caption>What if</caption>
          <thead><tr><th scope="col">Change</th><th scope="col" class="num">New value / month</th><th scope="col" class="num">New deals / month</th><th scope="col" class="num">Open pipeline</th><th scope="col" class="num">Sales velocity</th></tr></thead>
          <tbody id="whatif-rows"></tbody>
        </table>
        <p class="note" id="whatif-best"></p>
      </div>
    </section>
    <section class="panel" id="alerts-panel" data-slide aria-labelledby="alerts-title">
      <div class="panel-head"><h2 id="alerts-title">Live alerts</h2><p class="fresh" data-fresh="alerts"></p></div>
      <ol class="feed" id="alerts" aria-live="polite" aria-relevant="additions"></ol>
      <p class="note" id="alerts-empty">No alerts yet. Detractors show up here the moment they answer.</p>
    </section>
    <section class="panel" id="segments-panel" data-slide aria-labelledby="segments-title">
      <div class="panel-head"><h2 id="segments-title">Segments</h2><p class="fresh" data-fresh="segments"></p></div>
      <fieldset class="switch" id="by">
        <legend class="sr-only">Break down by</legend>
        <label><input type="radio" name="by" value="segment" checked>Segment</label>
        <label><input type="radio" name="by" value="channel">Channel</label>
        <label><input type="radio" name="by" value="owner">Owner</label>
      </fieldset>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">NPS, billing, average basket and won value per label</caption>
          <thead><tr><th scope="col" id="by-head">Segment</th><th scope="col" class="num">NPS</th><th scope="col" class="num">Responses</th><th scope="col" class="num">Billing</th><th scope="col" class="num">Avg basket</th><th scope="col" class="num">Won value</th></tr></thead>
          <tbody id="segments"></tbody>
          <tfoot id="segments-total"></tfoot>
        </table>
      </div>
    </section>
    <section class="panel" id="coaching-panel" data-slide aria-labelledby="coaching-title">
      <div class="panel-head"><h2 id="coaching-title">Coaching</h2><p class="fresh" data-fresh="coaching"></p></div>
      <div class="blocks">
        <div><h3 id="src-title">Per source</h3>
          <table aria-labelledby="src-title"><thead><tr><th scope="col">Source</th><th scope="col" class="num">Created</th><th scope="col" class="num">Won</th><th scope="col" class="num">Conversion</th></tr></thead><tbody id="sources"></tbody></table></div>
        <div><h3 id="lost-title">Lost reasons</h3><ul class="rank" id="lost" aria-labelledby="lost-title"></ul></div>
        <div><h3 id="stage-title">Open per stage <span class="asof">now</span></h3>
          <table aria-labelledby="stage-title"><thead><tr><th scope="col">Stage</th><th scope="col" class="num">Deals</th><th scope="col" class="num">Value</th></tr></thead><tbody id="stages"></tbody></table></div>
      </div>
      <h3 id="stale-title">Stale deals <span class="count" id="stale-count"></span></h3>
      <p class="sub">Open, past their expected close date, unchanged since.</p>
      <div class="table-wrap">
        <table aria-labelledby="stale-title">
          <thead><tr><th scope="col">Deal</th><th scope="col">Stage</th><th scope="col">Owner</th><th scope="col">Customer</th><th scope="col">Expected close</th><th scope="col">Last change</th></tr></thead>
          <tbody id="stale"></tbody>
        </table>
      </div>
    </section>
    <section class="panel" id="acquisition-panel" data-slide aria-labelledby="acquisition-title">
      <div class="panel-head"><h2 id="acquisition-title">Customer acquisition</h2><p class="fresh" data-fresh="acquisition"></p></div>
      <dl class="figures">
        <div><dt>New customers</dt><dd data-field="newCustomers">–</dd></div>
        <div><dt>Spend</dt><dd data-field="acquisitionSpend">–</dd></div>
        <div><dt>CAC</dt><dd data-field="cac">–</dd></div>
      </dl>
      <p class="sub" data-field="acquisitionOther"></p>
      <h3 id="cac-title">CAC per channel</h3>
      <div class="table-wrap">
        <table aria-labelledby="cac-title">
          <thead><tr><th scope="col">Channel</th><th scope="col" class="num">New customers</th><th scope="col" class="num">Spend</th><th scope="col" class="num">CAC</th><th scope="col">Share of new customers</th></tr></thead>
          <tbody id="cac-channels"></tbody>
        </table>
      </div>
      <h3 id="basket-title">Average basket per segment</h3>
      <div class="table-wrap">
        <table aria-labelledby="basket-title">
          <thead><tr><th scope="col">Segment</th><th scope="col" class="num">New customers</th><th scope="col" class="num">Billed customers</th><th scope="col" class="num">Billing</th><th scope="col" class="num">Basket per customer</th></tr></thead>
          <tbody id="baskets"></tbody>
        </table>
      </div>
      <p class="note">CAC: spend of the month ÷ customers whose first won deal or invoice is in the month. Other currencies are shown apart, never converted.</p>
    </section>
  </div>
</main>
<dialog id="auth" aria-labelledby="auth-title">
  <form id="auth-form">
    <h2 id="auth-title">Access token</h2>
    <p>This API needs a bearer token. It is kept for this browser tab only.</p>
    <label for="token">Token</label>
    <input type="password" id="token" name="token" autocomplete="off" required>
    <p class="error" id="auth-error" role="alert"></p>
    <button type="submit">Connect</button>
  </form>
</dialog>
`;
