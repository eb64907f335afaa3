/** The page's stylesheet: light and dark, colours chosen for WCAG AA contrast on their backgrounds. */
export const style = `
:root {
  color-scheme: light dark;
  --bg: #f3f5f8; --card: #fff; --text: #141a26; --muted: #4f5a6b; --line: #dde2ea; --accent: #1f4fc1;
  --good: #17693f; --warn: #8a5a00; --bad: #b42323; --good-bg: #e3f4ea; --bad-bg: #fbe7e7;
  --promoters: #1f9d5a; --passives: #e0a800; --detractors: #d64545;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f141c; --card: #182030; --text: #eef2f8; --muted: #a9b4c6; --line: #2b3547; --accent: #8fb0ff;
    --good: #6fd49b; --warn: #f0c35a; --bad: #ff8f8f; --good-bg: #15352a; --bad-bg: #3d1d22;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
h1, h2, h3 { margin: 0; line-height: 1.2; }
h1 { font-size: 1.25rem; letter-spacing: .01em; }
h2 { font-size: 1.05rem; }
h3 { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem 1.5rem; padding: .9rem 1.5rem;
  background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { margin-right: auto; }
.period { display: flex; align-items: center; gap: .5rem; }
label { font-weight: 600; font-size: .85rem; }
input, select, button { font: inherit; color: inherit; background: var(--card); border: 1px solid #8a95a6;
  border-radius: 6px; padding: .35rem .55rem; }
button { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
@media (prefers-color-scheme: dark) { button { color: #0f141c; } }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.status { margin: 0; font-size: .85rem; color: var(--muted); display: flex; align-items: center; gap: .4rem; }
.status::before { content: ""; width: .6rem; height: .6rem; border-radius: 50%; background: var(--muted); }
.status.live::before { background: var(--promoters); box-shadow: 0 0 0 3px var(--good-bg); }
.status.down::before { background: var(--detractors); }
main { padding: 1.25rem 1.5rem 2rem; max-width: 1400px; margin: 0 auto; display: grid; gap: 1.25rem; }
main > * { min-width: 0; }
.kpis { list-style: none; margin: 0; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); }
.card, .panel { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1rem 1.1rem; }
.card { display: flex; flex-direction: column; gap: .3rem; }
.big { margin: .1rem 0 0; font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.sub, .fresh, .note { margin: 0; font-size: .85rem; color: var(--muted); }
.fresh { font-size: .78rem; margin-top: auto; padding-top: .3rem; }
.change { font-weight: 700; padding: 0 .35rem; border-radius: 4px; }
.change.up { color: var(--good); background: var(--good-bg); }
.change.down { color: var(--bad); background: var(--bad-bg); }
.grid { display: grid; gap: 1.25rem; align-items: start; }
@media (min-width: 1000px) {
  .grid { grid-template-columns: 3fr 2fr; grid-template-areas: "nps alerts" "mine mine" "pipeline pipeline" "segments segments" "coaching coaching"; }
  #nps-panel { grid-area: nps; } #alerts-panel { grid-area: alerts; } #pipeline-panel { grid-area: pipeline; }
  #mine-panel { grid-area: mine; } #segments-panel { grid-area: segments; } #coaching-panel { grid-area: coaching; }
  #pipeline-panel { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); column-gap: 2rem; }
  #pipeline-panel .panel-head { grid-column: 1 / -1; }
  #pipeline-panel .figures { grid-row: span 2; align-self: start; }
  #pipeline-panel .calc { border-top: 0; padding-top: 0; }
}
.panel { display: grid; gap: .85rem; min-width: 0; }
.panel-head { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; }
.bar { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: var(--line); }
.bar span { width: 0; transition: width .4s ease; }
.bar .promoters { background: var(--promoters); }
.bar .passives { background: var(--passives); }
.bar .detractors { background: var(--detractors); }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; margin: 0; }
.legend div { display: flex; align-items: center; gap: .4rem; }
.legend dt { font-size: .85rem; color: var(--muted); }
.legend dt::before { content: ""; display: inline-block; width: .7rem; height: .7rem; border-radius: 2px; margin-right: .35rem; }
.legend .promoters dt::before { background: var(--promoters); }
.legend .passives dt::before { background: var(--passives); }
.legend .detractors dt::before { background: var(--detractors); }
.legend dd { margin: 0; font-weight: 700; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: .88rem; }
thead th { text-align: left; font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
tbody th { text-align: left; font-weight: 600; }
th, td { padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.comment { max-width: 28rem; overflow-wrap: anywhere; }
.none { color: var(--muted); font-style: italic; }
.score { display: inline-block; min-width: 1.7rem; text-align: center; font-weight: 700; border-radius: 4px;
  color: var(--bad); background: var(--bad-bg); }
.figures { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 1rem .75rem; margin: 0; }
.figures div { border-left: 3px solid var(--line); padding-left: .6rem; }
.figures dt { font-size: .78rem; color: var(--muted); }
.figures dd { margin: 0; font-size: 1.15rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.calc { display: flex; flex-wrap: wrap; align-items: end; gap: .6rem; border-top: 1px solid var(--line); padding-top: .85rem; }
.calc h3 { flex-basis: 100%; }
.calc .field { display: grid; gap: .2rem; }
.calc input { width: 10rem; }
.calc .whatif { display: flex; flex-wrap: wrap; gap: .6rem; flex-basis: 100%; margin: 0; padding: 0; border: 0; }
.calc .whatif legend { padding: 0; margin-bottom: .3rem; }
.calc .whatif input { width: 7rem; }
.ok { color: var(--good); font-weight: 600; }
.short { color: var(--bad); font-weight: 600; }
.error { color: var(--bad); margin: 0; }
.error:empty { display: none; }
.feed { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; max-height: 26rem; overflow-y: auto; }
td.when { white-space: nowrap; color: var(--muted); }
.feed li { border: 1px solid var(--line); border-left: 4px solid var(--detractors); border-radius: 8px; padding: .55rem .7rem; }
.feed li.new { animation: flash 2.5s ease-out; }
@keyframes flash { from { background: var(--bad-bg); } to { background: transparent; } }
@media (prefers-reduced-motion: reduce) { .feed li.new { animation: none; } .bar span { transition: none; } }
.feed .meta { display: flex; flex-wrap: wrap; gap: .25rem .75rem; font-size: .8rem; color: var(--muted); }
.feed p { margin: .25rem 0 0; overflow-wrap: anywhere; }
.stake { display: flex; flex-wrap: wrap; gap: .15rem 1rem; margin: .35rem 0 0; font-size: .8rem; }
.stake div { display: flex; gap: .3rem; }
.stake dt { color: var(--muted); }
.stake dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
dialog { border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem; max-width: 24rem; background: var(--card); color: var(--text); }
dialog::backdrop { background: rgb(10 15 25 / .55); }
dialog form { display: grid; gap: .6rem; }
dialog p { margin: 0; }
pre { margin: .5rem 0; padding: .6rem .75rem; overflow-x: auto; font-size: .8rem; color: var(--text);
  background: var(--bg); border: 1px solid var(--line); border-radius: 8px; }
#mine-empty p { margin: 0; }
#mine-profile:empty, .gauges:empty { display: none; }
.pick { display: flex; align-items: center; gap: .5rem; }
.gauges { list-style: none; margin: 0; padding: 0; display: grid; gap: .85rem; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); }
.gauges li { display: grid; gap: .3rem; border: 1px solid var(--line); border-left: 4px solid var(--muted); border-radius: 8px; padding: .65rem .8rem; }
.gauges .row { display: flex; justify-content: space-between; align-items: baseline; gap: .5rem; }
.gauges h3 { text-transform: none; letter-spacing: 0; font-size: .88rem; color: var(--text); }
.verdict { font-size: .78rem; font-weight: 700; white-space: nowrap; color: var(--muted); }
.fig { margin: 0; display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem .6rem; }
.actual { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.target { font-size: .85rem; color: var(--muted); }
.score-line { margin: 0; font-size: .85rem; color: var(--muted); }
.pct { font-weight: 700; font-variant-numeric: tabular-nums; }
.gauge { height: 10px; border-radius: 5px; overflow: hidden; background: var(--line); }
.gauge span { display: block; height: 100%; background: var(--accent); }
.gauges .gauge span { background: var(--muted); }
.lvl-bad .verdict, .lvl-bad .pct { color: var(--bad); }
.lvl-warn .verdict, .lvl-warn .pct { color: var(--warn); }
.lvl-good .verdict, .lvl-good .pct { color: var(--good); }
.gauges .lvl-bad { border-left-color: var(--detractors); } .gauges .lvl-bad .gauge span { background: var(--detractors); }
.gauges .lvl-warn { border-left-color: var(--passives); } .gauges .lvl-warn .gauge span { background: var(--passives); }
.gauges .lvl-good { border-left-color: var(--promoters); } .gauges .lvl-good .gauge span { background: var(--promoters); }
.switch { display: flex; margin: 0; padding: 0; border: 1px solid #8a95a6; border-radius: 6px; overflow: hidden; justify-self: start; }
.switch label { padding: .3rem .8rem; cursor: pointer; }
.switch label + label { border-left: 1px solid #8a95a6; }
.switch input { position: absolute; opacity: 0; }
.switch label:has(:checked) { background: var(--accent); color: #fff; }
.switch label:has(:focus-visible) { outline: 3px solid var(--accent); outline-offset: 2px; }
@media (prefers-color-scheme: dark) { .switch label:has(:checked) { color: #0f141c; } }
tfoot td { font-weight: 700; border-bottom: 0; border-top: 2px solid var(--line); }
.blocks { display: grid; gap: 1rem 2rem; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
.blocks > div { min-width: 0; overflow-x: auto; }
.blocks h3 { margin-bottom: .35rem; }
.rank { list-style: none; margin: 0; padding: 0; display: grid; gap: .45rem; font-size: .88rem; }
.rank li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .15rem .5rem; overflow-wrap: anywhere; }
.rank .gauge { grid-column: 1 / -1; height: 6px; }
.rank .gauge span { background: var(--detractors); }
.count { margin-left: .3rem; padding: 0 .45rem; border-radius: 999px; color: var(--bad); background: var(--bad-bg); }
.count:empty { display: none; }
[hidden] { display: none !important; }
.asof { font-weight: 500; text-transform: none; letter-spacing: 0; color: var(--muted); }
.asof:not(:empty)::before { content: "· "; }
.top a { color: var(--accent); font-weight: 600; font-size: .85rem; }
.compare { list-style: none; margin: 0; padding: 0; display: grid; gap: .1rem; font-size: .8rem; color: var(--muted); }
.compare:empty, .spark-host:empty { display: none; }
.compare strong { color: var(--text); font-variant-numeric: tabular-nums; }
.compare .up { color: var(--good); } .compare .down { color: var(--bad); }
.spark { display: block; width: 100%; height: 30px; overflow: visible; }
.spark path { fill: none; stroke: var(--accent); stroke-width: 1.6; stroke-linejoin: round; }
.spark circle { fill: var(--accent); }
.charts { display: grid; gap: 1.5rem 2.5rem; align-items: start; }
@media (min-width: 900px) { .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.chart { margin: 0; display: grid; gap: .35rem; min-width: 0; align-content: start; }
.plot { width: 100%; height: auto; display: block; }
.plot text { font-size: 11px; fill: var(--muted); stroke: none; }
.plot .under { font-size: 10px; }
.plot .direct { font-size: 12px; font-weight: 700; fill: var(--text); }
.plot .gridline { stroke: var(--line); }
.plot .zero { stroke: #8a95a6; }
.line { fill: none; stroke-width: 2.2; stroke-linejoin: round; }
.s1 { stroke-dasharray: 6 4; } .s2 { stroke-dasharray: 2 3; }
[data-series] .point, .legend-line svg :not(.line) { stroke-width: 1.6; }
.s-billing, .s-billingYtd, .s-nps { stroke: var(--accent); fill: var(--accent); }
.s-billingYearBefore { stroke: var(--muted); fill: var(--card); }
.s-marginYtd { stroke: var(--good); fill: var(--good); }
.s-created .col { fill: var(--accent); }
.s-won .col { fill: var(--promoters); }
.s-lost .col { fill: var(--detractors); }
.s-sold { stroke: var(--promoters); fill: var(--promoters); } .s-sold .col { fill: var(--promoters); }
.s-forecast { stroke: var(--accent); fill: var(--accent); } .s-forecast .col { fill: var(--accent); }
.s-budget { stroke: var(--muted); fill: var(--card); } .s-budget .col { fill: var(--muted); }
.hatch { stroke: var(--card); stroke-width: 1.6; } .dot { fill: var(--card); }
.hit { fill: transparent; } .hit:hover { fill: var(--line); fill-opacity: .45; }
.legend-line { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .8rem; color: var(--muted); }
.legend-line li { display: flex; align-items: center; gap: .35rem; }
details summary { font-size: .8rem; color: var(--accent); cursor: pointer; }
table.data { margin-top: .4rem; }
@media (max-width: 640px) {
  .top, main { padding-left: .75rem; padding-right: .75rem; }
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .6rem; }
  .big { font-size: 1.55rem; }
  .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .calc input { width: 100%; }
  .table-wrap { overflow-x: visible; }
  .table-wrap table, .blocks table { display: block; }
  .table-wrap thead, .blocks thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .table-wrap tbody, .table-wrap tfoot, .blocks tbody { display: grid; gap: .5rem; }
  .table-wrap tr, .blocks tr { display: block; border: 1px solid var(--line); border-radius: 8px; padding: .3rem .6rem; }
  .table-wrap td, .table-wrap tbody th, .blocks td, .blocks tbody th { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr);
    gap: .75rem; border: 0; padding: .15rem 0; overflow-wrap: anywhere; }
  .table-wrap [data-label]::before, .blocks [data-label]::before { content: attr(data-label); font-size: .75rem;
    font-weight: 400; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .table-wrap td:not([data-label]), .blocks td:not([data-label]) { display: block; }
  .comment { max-width: none; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  td.num, th.num { text-align: left; }
}
.tv { font-size: 21px; }
.tv .top form, .tv .tv-link, .tv .calc, .tv #req-result, .tv #req-error, .tv #user-form, .tv #by,
.tv details, .tv #mine-empty, .tv [data-slide]:not(.on-air) { display: none; }
.tv main { max-width: none; }
.tv .grid { grid-template-columns: 1fr; grid-template-areas: none; }
.tv .grid > .panel { grid-area: auto; }
.tv .big { font-size: 2.6rem; }
.tv .plot { height: 21vh; }
.tv .plot text { font-size: 13px; }
.tv .feed { max-height: none; }
`;
