// The run page: per-step charts of one run. A finished run's series come from
// /api/run/series (its database) in one piece; a live run's from /api/run/events, a stream of
// server-sent events, whose new steps are inserted into the charts' named datasets as they come.
'use strict';
(() => {
  const { run, live } = board.data;
  const q = encodeURIComponent(run);
  const seen = new Set();
  const stepsBody = document.querySelector('#steps-table tbody');
  const stepCount = document.getElementById('step-count');

  // One Vega-Lite spec per chart over a named dataset (the series table it reads); the chart is
  // drawn at its first rows, then rows are inserted into its view.
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } };
  const line = (y, color, extra) => ({ mark: { type: 'line', point: true }, encoding: { x, y, ...(color ? { color } : {}), tooltip: [{ field: 'step' }, ...(color ? [{ field: color.field }] : []), { field: y.field }] }, ...(extra || {}) });
  const CHARTS = [
    {
      id: 'chart-actions', table: 'actions',
      spec: { mark: 'bar', encoding: { x: { ...x, type: 'ordinal' }, y: { field: 'count', type: 'quantitative', title: 'actions', stack: 'zero' }, color: { field: 'action', type: 'nominal', legend: { labelLimit: 160 } }, tooltip: [{ field: 'step' }, { field: 'action' }, { field: 'count' }, { field: 'failed' }] } },
    },
    { id: 'chart-active', table: 'steps', spec: line({ field: 'active_agents', type: 'quantitative', title: 'active agents' }) },
    { id: 'chart-llm-requests', table: 'llm', spec: line({ field: 'requests', type: 'quantitative', title: 'requests' }, { field: 'endpoint', type: 'nominal' }) },
    { id: 'chart-llm-failures', table: 'llm', spec: line({ field: 'failures', type: 'quantitative', title: 'failures' }, { field: 'endpoint', type: 'nominal' }) },
    {
      id: 'chart-llm-latency', table: 'llm', when: (r) => r.latency_ms_mean !== null,
      spec: line({ field: 'latency_ms_mean', type: 'quantitative', title: 'mean latency (ms)' }, { field: 'endpoint', type: 'nominal' }, { transform: [{ filter: 'datum.latency_ms_mean !== null' }] }),
    },
    {
      id: 'chart-budget', table: 'budget', width: 240,
      spec: {
        transform: [{ fold: ['left_requests', 'left_tokens', 'left_usd'], as: ['cap', 'left'] }, { filter: 'datum.left !== null' }],
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'left', type: 'quantitative', title: 'left' }, color: { field: 'scope', type: 'nominal' }, facet: { field: 'cap', type: 'nominal', columns: 3, title: null }, tooltip: [{ field: 'step' }, { field: 'scope' }, { field: 'cap' }, { field: 'left' }] },
        resolve: { scale: { y: 'independent' } },
      },
    },
  ];
  const views = new Map(); // chart id → Promise<vega View>

  function add(chart, rows) {
    const mine = chart.when ? rows.filter(chart.when) : rows;
    if (mine.length === 0) return;
    let view = views.get(chart.id);
    if (!view) {
      const el = document.getElementById(chart.id);
      el.textContent = '';
      // A faceted chart cannot take the container's width: it gets a fixed width per panel.
      const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: chart.width || 'container', height: 160, data: { name: chart.table }, ...chart.spec };
      view = board.chart(el, spec).then((r) => r.view);
      views.set(chart.id, view);
    }
    // Each insert waits for the chart (and the inserts before it) to be ready.
    views.set(chart.id, view.then((v) => v.insert(chart.table, mine).runAsync().then(() => v)));
    views.get(chart.id).catch((err) => showProblem(`chart ${chart.id}: ${err.message}`));
  }

  function showProblem(message) {
    const p = document.getElementById('problem');
    p.hidden = false;
    p.textContent = message;
  }

  function cell(v, num) {
    return `<td${num ? ' class="num"' : ''}>${board.esc(v)}</td>`;
  }

  /** Adds the steps not shown yet to the table and the charts. */
  function append(series) {
    const fresh = new Set(series.steps.filter((s) => !seen.has(s.step)).map((s) => s.step));
    if (fresh.size === 0) return;
    const pick = (rows) => rows.filter((r) => fresh.has(r.step));
    const tables = { steps: pick(series.steps), actions: pick(series.actions), llm: pick(series.llm), budget: pick(series.budget) };
    for (const s of tables.steps) {
      seen.add(s.step);
      const tr = document.createElement('tr');
      tr.dataset.step = String(s.step);
      tr.innerHTML = cell(s.step, true) + cell(s.sim_time.replace('T', ' ').replace(/\.000Z$/, 'Z')) + cell(s.active_agents, true) + cell(s.actions, true) + cell(s.failed_actions, true) + cell(s.llm_requests, true) + cell(s.llm_failures, true);
      stepsBody.appendChild(tr);
    }
    stepCount.textContent = String(seen.size);
    for (const chart of CHARTS) add(chart, tables[chart.table]);
  }

  function setState(state, note) {
    const el = document.getElementById('run-state');
    el.textContent = state;
    el.className = `state-${state === 'live' ? 'live' : 'finished'}`;
    document.getElementById('source').textContent = note;
  }

  if (live) {
    setState('live', '(from events.jsonl, as the run commits them)');
    const es = new EventSource(`/api/run/events?run=${q}`);
    es.addEventListener('series', (e) => append(JSON.parse(e.data)));
    let finished = false;
    es.addEventListener('finished', (e) => {
      // The server ends the stream after this event; the stream's end (an `error` event) closes the source.
      finished = true;
      const f = JSON.parse(e.data);
      setState('finished', `(run ${f.status}; figures from events.jsonl)`);
      document.body.dataset.finishedStatus = f.status;
      const reload = document.getElementById('reload');
      reload.href = window.location.href;
      reload.hidden = false;
    });
    es.onerror = () => {
      // After `finished` the end is expected: closing stops EventSource's reconnecting.
      if (finished) return es.close();
      if (es.readyState === EventSource.CLOSED) showProblem('the live stream closed; reload the page to follow the run again');
    };
  } else {
    board
      .api(`/api/run/series?run=${q}`)
      .then((r) => {
        setState('finished', r.source === 'db' ? '(from sim.duckdb)' : '(from events.jsonl: no database to read)');
        append(r.series);
        document.body.dataset.loaded = 'true';
      })
      .catch((err) => showProblem(err.message));
  }
})();
