/**
 * The page script of the report (plain ES2017, runs in any current browser without network). It draws the curves
 * with uPlot, the metric explorer and the episode inspector from the JSON embedded in the page, and exposes
 * `window.__mappaReport` ({ data, charts, rendered, showEpisode, ready }) so tests and people can check what is drawn.
 * Kept as a string so the report needs no bundler or extra files at run time; it must not contain backticks or
 * dollar-brace sequences. All text from runs is inserted with textContent, never as HTML.
 */
export const reportClientScript = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('mappa-data').textContent);
  var api = { data: data, charts: data.charts, rendered: {}, ready: false, showEpisode: null };
  window.__mappaReport = api;
  var plots = [];

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k === 'style') e.setAttribute('style', v);
        else if (k.indexOf('on') === 0) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function fmt(v, d) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2013';
    return Number(v).toFixed(d === undefined ? 2 : d);
  }
  function fmtNum(v) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2013';
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }
  function scoreStyle(s) {
    var hue = Math.round(Math.min(10, Math.max(0, s)) / 10 * 120);
    return 'background:hsl(' + hue + ' 70% 82%)';
  }
  function runOf(i) { return data.runs[i]; }
  var STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

  // ---------- curves ----------
  function cardWidth(card) { return Math.max(260, Math.floor(card.getBoundingClientRect().width) - 20); }

  function alignSeries(series) {
    var seen = {};
    var xs = [];
    series.forEach(function (s) { s.x.forEach(function (x) { if (!seen[x]) { seen[x] = true; xs.push(x); } }); });
    xs.sort(function (a, b) { return a - b; });
    var cols = [xs];
    series.forEach(function (s) {
      var m = {};
      for (var i = 0; i < s.x.length; i++) m[s.x[i]] = s.y[i];
      cols.push(xs.map(function (x) { return Object.prototype.hasOwnProperty.call(m, x) ? m[x] : null; }));
    });
    return cols;
  }

  function drawChart(container, spec, record) {
    var card = el('div', { class: 'chart-card', 'data-chart-id': spec.id }, [el('h3', { text: spec.title })]);
    container.appendChild(card);
    var cols = alignSeries(spec.series);
    var yRange = spec.yRange;
    var opts = {
      width: cardWidth(card),
      height: 230,
      scales: {
        x: { time: false, range: function (u, min, max) { return min === max ? [min - 1, max + 1] : [min, max]; } },
        y: yRange ? { range: function (u, min, max) {
          var lo = min === null ? yRange[0] : Math.min(yRange[0], min);
          var hi = max === null ? yRange[1] : Math.max(yRange[1], max);
          return [lo, hi];
        } } : {}
      },
      // Steps are whole numbers: only integer ticks on the x axis.
      axes: [{ label: 'step', size: 40, incrs: STEP_INCRS }, { label: spec.yLabel, size: 56 }],
      series: [{ label: 'step', value: function (u, v) { return v === null || v === undefined ? '\u2013' : String(v); } }].concat(spec.series.map(function (s) {
        return {
          label: s.label,
          stroke: s.color,
          dash: s.dash,
          width: 2,
          spanGaps: true,
          points: { show: true, size: 5, fill: s.color },
          value: function (u, v) { return fmtNum(v); }
        };
      })),
      legend: { live: true }
    };
    var u = new uPlot(opts, cols, card);
    plots.push({ u: u, card: card });
    if (record !== false) {
      api.rendered[spec.id] = {
        x: Array.prototype.slice.call(u.data[0]),
        series: spec.series.map(function (s, i) {
          return { run: s.run, key: s.key, label: s.label, y: Array.prototype.slice.call(u.data[i + 1]) };
        })
      };
    }
    return { card: card, u: u };
  }

  function drawSection(section, containerId) {
    var container = document.getElementById(containerId);
    if (!container) return;
    var specs = data.charts.filter(function (c) { return c.section === section; });
    if (!specs.length) {
      container.appendChild(el('div', { class: 'empty', text: 'No such metrics in these runs.' }));
      return;
    }
    specs.forEach(function (spec) { drawChart(container, spec); });
  }

  // ---------- metric explorer ----------
  function setupExplorer() {
    var select = document.getElementById('explorer-key');
    var holder = document.getElementById('explorer-chart');
    if (!select || !holder) return;
    var keys = {};
    data.runs.forEach(function (r) { Object.keys(r.metrics.columns).forEach(function (k) { keys[k] = true; }); });
    var list = Object.keys(keys).sort();
    list.forEach(function (k) { select.appendChild(el('option', { value: k, text: k })); });
    var current = null;
    function show(key) {
      holder.textContent = '';
      if (current) {
        plots = plots.filter(function (p) { return p.u !== current; });
        current.destroy();
        current = null;
      }
      var series = [];
      data.runs.forEach(function (r) {
        var col = r.metrics.columns[key];
        if (!col) return;
        var x = [], y = [];
        for (var i = 0; i < col.length; i++) if (col[i] !== null) { x.push(r.metrics.steps[i]); y.push(col[i]); }
        if (x.length) series.push({ run: r.index, key: key, group: key, label: r.label, color: r.color, dash: [], x: x, y: y });
      });
      if (!series.length) { holder.appendChild(el('div', { class: 'empty', text: 'No values.' })); return; }
      var drawn = drawChart(holder, { id: 'explorer', section: 'explorer', title: key, yLabel: key, yRange: null, main: false, series: series });
      current = drawn.u;
    }
    select.addEventListener('change', function () { show(select.value); });
    var preferred = ['eval/accuracy', 'eval/success_rate', 'train/success_rate'].filter(function (k) { return keys[k]; })[0] || list[0];
    if (preferred) { select.value = preferred; show(preferred); }
  }

  // ---------- episode inspector ----------
  var episodes = [];
  data.runs.forEach(function (r) { r.episodes.forEach(function (e) { episodes.push(e); }); });
  var byKey = {};
  episodes.forEach(function (e) { byKey[e.run + ':' + e.ref] = e; });
  var state = { run: 'all', phase: 'all', low: false, threshold: 3, failed: false, search: '', sort: 'order', limit: 200, selected: null };

  function isFailed(e) { return !!e.error || !e.outcome || !e.outcome.success || e.outcome.correct === false; }
  function isLow(e) { return e.scoreMin !== null && e.scoreMin <= state.threshold; }

  function outcomeBadge(e) {
    if (e.error) return el('span', { class: 'badge no', title: e.error.message, text: 'failed: ' + e.error.kind });
    if (!e.outcome) return el('span', { class: 'badge info', text: 'no result' });
    if (e.outcome.correct === true) return el('span', { class: 'badge ok', text: 'correct' });
    if (e.outcome.correct === false) return el('span', { class: 'badge no', text: e.outcome.success ? 'wrong' : 'no answer' });
    return e.outcome.success ? el('span', { class: 'badge ok', text: 'success' }) : el('span', { class: 'badge no', text: 'no result' });
  }
  function scoreBadge(s, title) {
    if (s === null || s === undefined) return el('span', { class: 'score muted', text: '\u2013' });
    return el('span', { class: 'score', style: scoreStyle(s), title: title || '', text: fmt(s, s % 1 === 0 ? 0 : 1) });
  }

  function filtered() {
    var q = state.search.toLowerCase();
    var out = episodes.filter(function (e) {
      if (state.run !== 'all' && String(e.run) !== state.run) return false;
      if (state.phase !== 'all' && e.phase !== state.phase) return false;
      if (state.failed && !isFailed(e)) return false;
      if (state.low && !isLow(e)) return false;
      if (q && (e.taskId + ' ' + e.id + ' ' + (e.taskType || '')).toLowerCase().indexOf(q) < 0) return false;
      return true;
    });
    if (state.sort === 'score') {
      out = out.slice().sort(function (a, b) {
        var x = a.scoreMin === null ? 99 : a.scoreMin, y = b.scoreMin === null ? 99 : b.scoreMin;
        return x - y;
      });
    }
    return out;
  }

  function renderList() {
    var body = document.getElementById('episode-rows');
    var count = document.getElementById('episode-count');
    var more = document.getElementById('episode-more');
    if (!body) return;
    var list = filtered();
    body.textContent = '';
    list.slice(0, state.limit).forEach(function (e) {
      var key = e.run + ':' + e.ref;
      var tr = el('tr', { 'data-episode': key, class: state.selected === key ? 'selected' : '', onclick: function () { select(key); } }, [
        el('td', null, [el('span', { class: 'swatch', style: 'background:' + runOf(e.run).color, title: runOf(e.run).label })]),
        el('td', { text: e.phase }),
        el('td', { text: String(e.step) }),
        el('td', { text: e.taskId + (e.sampleIndex ? ' #' + e.sampleIndex : '') , title: e.taskType || '' }),
        el('td', null, [outcomeBadge(e)]),
        el('td', null, [scoreBadge(e.scoreMean, 'mean')]),
        el('td', null, [scoreBadge(e.scoreMin, 'lowest')])
      ]);
      body.appendChild(tr);
    });
    count.textContent = list.length + ' of ' + episodes.length + ' embedded episodes match';
    more.style.display = list.length > state.limit ? '' : 'none';
  }

  function fullInput(e, a) {
    var guard = 0, parts = [a.input], cur = a;
    while (cur.inputBase !== null && guard++ < 1000) {
      var base = null;
      for (var i = 0; i < e.actions.length; i++) if (e.actions[i].index === cur.inputBase) base = e.actions[i];
      if (!base) break;
      parts.unshift(base.input);
      cur = base;
    }
    return parts.join('');
  }

  function pre(text, cls) { return el('pre', { class: cls || '' , text: text }); }

  function renderAction(e, a) {
    var head = el('div', { class: 'head' }, [
      el('b', { text: 'Action ' + a.index }),
      el('span', { class: 'muted', text: 'turn ' + a.turnIndex + ' \u00b7 ' + a.finishReason + (a.policyVersion !== null ? ' \u00b7 policy v' + a.policyVersion : '') + (a.generateMs !== null ? ' \u00b7 ' + Math.round(a.generateMs) + ' ms' : '') }),
      a.finishReason === 'length' ? el('span', { class: 'badge warn', text: 'truncated' }) : null,
      a.coach ? scoreBadge(a.coach.score, 'coach score') : null
    ]);
    var input = fullInput(e, a);
    var parts = [head,
      el('details', { class: 'input' }, [el('summary', { text: 'Input (' + a.inputChars.toLocaleString('en-US') + ' characters)' }), pre(input)]),
      el('div', { class: 'label', text: 'Action' }), pre(a.text, 'action-text')];
    a.toolCalls.forEach(function (t, i) {
      var cls = t.status === 'ok' ? 'ok' : 'no';
      parts.push(el('div', { class: 'label' }, ['Tool call ' + (i + 1) + ': ' + t.tool + (t.language ? ' (' + t.language + ')' : '') + ' ', el('span', { class: 'badge ' + cls, text: t.status + (t.exitCode !== null ? ' (exit ' + t.exitCode + ')' : '') })]));
      parts.push(el('details', null, [el('summary', { text: 'code / input' }), pre(t.input)]));
      if (t.output) parts.push(pre(t.output));
    });
    if (a.toolOutput) {
      parts.push(el('div', { class: 'label', text: 'Tool output (as the agent saw it)' }));
      parts.push(pre(a.toolOutput, 'tool-output'));
    }
    if (a.filesWritten.length) {
      parts.push(el('div', { class: 'label', text: 'Files written' }));
      parts.push(el('ul', null, a.filesWritten.map(function (f) { return el('li', null, [el('code', { text: f.path }), ' ', el('span', { class: 'muted', text: f.bytes + ' bytes' })]); })));
    }
    if (a.coach) {
      var c = a.coach;
      var flags = c.flags.map(function (f) { return el('span', { class: 'badge ' + (f === 'fallback' ? 'no' : f === 'repaired' ? 'warn' : 'info'), text: f }); });
      var meta = [];
      if (c.outcome) meta.push(c.outcome.name + ': ' + c.outcome.value);
      if (c.usage) meta.push(c.usage.inputTokens + ' in / ' + c.usage.outputTokens + ' out tokens' + (c.usage.costUsd !== null ? ' \u00b7 $' + c.usage.costUsd.toFixed(5) : ''));
      if (c.coach) meta.push(c.coach);
      parts.push(el('div', { class: 'coach-box' }, [
        el('div', { class: 'head' }, [el('b', { text: 'Coach' }), scoreBadge(c.score, 'coach score')].concat(flags).concat([el('span', { class: 'muted', text: meta.join(' \u00b7 ') })])),
        el('div', { class: 'rationale', text: c.rationale || '(no rationale)' }),
        c.error ? el('div', { class: 'bad', text: 'error: ' + c.error }) : null
      ]));
    } else {
      parts.push(el('div', { class: 'muted', text: 'Not scored by the coach.' }));
    }
    return el('div', { class: 'action', 'data-action': a.index }, parts);
  }

  function renderDetail(e) {
    var box = document.getElementById('episode-detail');
    box.textContent = '';
    if (!e) { box.appendChild(el('p', { class: 'muted', text: 'Pick an episode on the left.' })); return; }
    var run = runOf(e.run);
    box.appendChild(el('div', { class: 'ep-head' }, [
      el('span', { class: 'swatch', style: 'background:' + run.color }),
      el('b', { text: run.label }),
      el('span', { text: e.phase + ' step ' + e.step }),
      el('span', { text: 'task ' + e.taskId + (e.sampleIndex ? ' sample ' + e.sampleIndex : '') }),
      e.taskType ? el('span', { class: 'badge info', text: e.taskType }) : null,
      outcomeBadge(e),
      el('span', { class: 'muted', text: e.durationMs !== null ? (e.durationMs / 1000).toFixed(1) + ' s' : '' })
    ]));
    box.appendChild(el('div', { class: 'muted', text: 'episode ' + e.id }));
    if (e.outcome) {
      var ms = Object.keys(e.outcome.metrics).map(function (k) { return k + ' ' + fmtNum(e.outcome.metrics[k]); }).join(', ');
      box.appendChild(el('div', null, ['Result: ', el('b', { text: e.outcome.answer === null ? '(no answer)' : e.outcome.answer }), ms ? ' \u00b7 ' + ms : '']));
    }
    if (e.error) box.appendChild(el('div', { class: 'error-box', text: e.error.kind + (e.error.agentId ? ' in ' + e.error.agentId : '') + ': ' + e.error.message }));
    box.appendChild(el('details', null, [el('summary', { text: 'Task metadata' }), pre(e.taskMetadata)]));
    var turn = null, lastAgent = null;
    e.actions.forEach(function (a) {
      if (a.agentId !== lastAgent) {
        turn = el('div', { class: 'turn', 'data-agent': a.agentId }, [el('h4', null, [a.agentId + ' ', el('span', { class: 'muted', text: a.role })])]);
        box.appendChild(turn);
        lastAgent = a.agentId;
      }
      turn.appendChild(renderAction(e, a));
    });
    if (e.artifacts.length) {
      box.appendChild(el('h4', { text: 'Files at the end of the episode' }));
      box.appendChild(el('ul', null, e.artifacts.map(function (f) { return el('li', null, [el('code', { text: f.path }), ' ', el('span', { class: 'muted', text: f.bytes + ' bytes, by ' + f.writtenBy })]); })));
    }
  }

  function select(key) {
    state.selected = key;
    var rows = document.querySelectorAll('#episode-rows tr');
    for (var i = 0; i < rows.length; i++) rows[i].className = rows[i].getAttribute('data-episode') === key ? 'selected' : '';
    renderDetail(byKey[key] || null);
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, '', '#episode=' + encodeURIComponent(key)); } catch (err) { /* file:// pages may refuse; the selection still works */ }
    }
    return !!byKey[key];
  }
  api.showEpisode = function (run, ref) { return select(run + ':' + ref); };

  function setupInspector() {
    var runSel = document.getElementById('f-run');
    if (!runSel) return;
    data.runs.forEach(function (r) { runSel.appendChild(el('option', { value: String(r.index), text: r.label })); });
    function bind(id, ev, fn) { var n = document.getElementById(id); n.addEventListener(ev, function () { fn(n); state.limit = 200; renderList(); }); }
    bind('f-run', 'change', function (n) { state.run = n.value; });
    bind('f-phase', 'change', function (n) { state.phase = n.value; });
    bind('f-low', 'change', function (n) { state.low = n.checked; });
    bind('f-threshold', 'input', function (n) { var v = parseFloat(n.value); state.threshold = isFinite(v) ? v : 3; });
    bind('f-failed', 'change', function (n) { state.failed = n.checked; });
    bind('f-search', 'input', function (n) { state.search = n.value; });
    bind('f-sort', 'change', function (n) { state.sort = n.value; });
    document.getElementById('episode-more').addEventListener('click', function () { state.limit += 200; renderList(); });
    renderList();
    var m = /#episode=([^&]+)/.exec(window.location.hash);
    if (m && byKey[decodeURIComponent(m[1])]) select(decodeURIComponent(m[1]));
    else renderDetail(null);
  }

  drawSection('eval', 'charts-eval');
  drawSection('train', 'charts-train');
  drawSection('trainer', 'charts-trainer');
  drawSection('coach', 'charts-coach');
  setupExplorer();
  setupInspector();

  var pending = null;
  window.addEventListener('resize', function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p.u.setSize({ width: cardWidth(p.card), height: 230 }); });
    }, 100);
  });
  api.ready = true;
})();
`;
