/** The report's own styles (uPlot's stylesheet is inlined next to them). */
export const reportStyles = `
:root { --fg:#1d1f23; --muted:#6b7079; --line:#e3e5e8; --bg:#f6f7f9; --card:#fff; --accent:#0072B2; --bad:#c0392b; --good:#1e8449; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header.top { padding:18px 24px 8px; background:var(--card); border-bottom:1px solid var(--line); }
header.top h1 { margin:0 0 4px; font-size:20px; }
header.top .runs { display:flex; flex-wrap:wrap; gap:14px; margin-top:6px; }
nav.sections { position:sticky; top:0; z-index:10; display:flex; gap:4px; padding:6px 20px; background:var(--card); border-bottom:1px solid var(--line); }
nav.sections a { padding:5px 10px; border-radius:6px; color:var(--fg); text-decoration:none; }
nav.sections a:hover { background:var(--bg); }
main { max-width:1500px; margin:0 auto; padding:8px 20px 60px; }
section { margin-top:22px; }
section > h2 { font-size:18px; margin:0 0 10px; padding-top:8px; }
h3 { font-size:15px; margin:18px 0 8px; }
h4 { font-size:14px; margin:12px 0 6px; }
.muted { color:var(--muted); }
.bad { color:var(--bad); font-weight:600; }
.good { color:var(--good); font-weight:600; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
pre { white-space:pre-wrap; word-break:break-word; margin:4px 0; padding:8px; background:#f3f4f6; border-radius:6px; max-height:420px; overflow:auto; }
.swatch { display:inline-block; width:12px; height:12px; border-radius:3px; margin-right:6px; vertical-align:-1px; }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; background:var(--card); }
table.overview th, table.overview td, table.grid th, table.grid td { border:1px solid var(--line); padding:5px 9px; text-align:left; vertical-align:top; }
table.overview th[scope=row] { color:var(--muted); font-weight:500; white-space:nowrap; }
table.grid th { background:#fafbfc; font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.sep, th.sep { border-left:3px solid #c9ccd1 !important; }
.note { margin:10px 0; padding:8px 12px; background:#fff8e1; border:1px solid #f3d27a; border-radius:6px; }
.note ul { margin:4px 0 0 18px; padding:0; }
details.config, details.errors { margin:8px 0; }
details > summary { cursor:pointer; color:var(--accent); }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(460px,1fr)); gap:14px; }
.chart-card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:8px 10px; min-width:0; }
.chart-card h3 { margin:2px 0 6px; font-size:14px; }
.empty { padding:10px; color:var(--muted); font-style:italic; }
.hists { display:flex; flex-wrap:wrap; gap:12px; }
figure.hist { margin:0; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:4px; }
.explorer-controls { display:flex; gap:10px; align-items:center; margin-bottom:8px; flex-wrap:wrap; }
select, input[type=text], input[type=number] { font:inherit; padding:3px 6px; border:1px solid #c9ccd1; border-radius:5px; background:#fff; }
.inspector { display:flex; gap:14px; align-items:flex-start; }
.inspector .list { flex:0 0 42%; max-height:82vh; overflow:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
.inspector .detail { flex:1 1 auto; min-width:0; max-height:82vh; overflow:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
@media (max-width: 1000px) { .inspector { flex-direction:column; } .inspector .list, .inspector .detail { flex:1 1 auto; width:100%; } }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin-bottom:8px; }
.filters label { display:inline-flex; gap:4px; align-items:center; }
table.episodes { width:100%; }
table.episodes th, table.episodes td { padding:4px 8px; border-bottom:1px solid var(--line); text-align:left; font-size:13px; }
table.episodes th { position:sticky; top:0; background:#fafbfc; }
table.episodes tbody tr { cursor:pointer; }
table.episodes tbody tr:hover { background:#f1f6fb; }
table.episodes tbody tr.selected { background:#dcebf7; }
.badge { display:inline-block; padding:0 6px; border-radius:9px; font-size:12px; font-weight:600; line-height:18px; }
.badge.ok { background:#d4efdf; color:#145a32; }
.badge.no { background:#fadbd8; color:#78281f; }
.badge.warn { background:#fdebd0; color:#7e5109; }
.badge.info { background:#e5e8ec; color:#333; }
.score { display:inline-block; min-width:34px; text-align:center; padding:0 6px; border-radius:9px; font-weight:700; font-variant-numeric:tabular-nums; }
.turn { border-left:4px solid var(--line); margin:14px 0; padding-left:12px; }
.turn > h4 { margin:0 0 6px; }
.action { border:1px solid var(--line); border-radius:8px; padding:8px 10px; margin:8px 0; }
.action .head { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin-bottom:4px; }
.action .label { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; margin-top:6px; }
.coach-box { margin-top:8px; padding:8px 10px; border-radius:6px; background:#f4f8fc; border:1px solid #d6e4f0; }
.coach-box .rationale { white-space:pre-wrap; word-break:break-word; }
.ep-head { display:flex; flex-wrap:wrap; gap:10px; align-items:center; }
.error-box { margin:8px 0; padding:8px 10px; border-radius:6px; background:#fdecea; border:1px solid #f5b7b1; white-space:pre-wrap; }
button { font:inherit; padding:3px 10px; border:1px solid #c9ccd1; border-radius:5px; background:#fff; cursor:pointer; }
footer { margin-top:40px; color:var(--muted); font-size:12px; }
`;
