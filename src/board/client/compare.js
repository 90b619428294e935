// The compare page: overlaid per-step lines of two runs (A, B) or of a sweep's conditions, one
// small Vega-Lite chart per series, and the figures as a table below. Data comes inline from
// the server (board.data); the URL holds the choice, so a comparison can be shared.
'use strict';
(function () {
  const d = board.data;
  const form = document.getElementById('pick');
  // Picking a run reloads with it: an empty B lets the server bring a branch's parent.
  for (const s of form.querySelectorAll('select')) s.addEventListener('change', () => form.submit());
  if (d.mode === 'pick') return;

  if (d.mode === 'pair') {
    // The server filled B (a branch's parent): write it into the URL too.
    const url = new URL(location.href);
    if (url.searchParams.get('b') !== d.b.run) {
      url.searchParams.set('a', d.a.run);
      url.searchParams.set('b', d.b.run);
      history.replaceState(null, '', url);
    }
  }

  const charts = document.getElementById('charts');
  charts.style.display = 'flex';
  charts.style.flexWrap = 'wrap';
  charts.style.gap = '12px';

  const lines = d.mode === 'pair' ? pairLines() : sweepLines();
  const order = d.mode === 'pair' ? ['A', 'B'] : d.conditions;
  for (const s of d.series) draw(s.key, s.title, lines.filter((l) => l.series === s.key), d.mode === 'sweep' ? 'mean over seeds' : null);
  if (d.mode === 'pair') void sentiment();
  document.getElementById('figures').innerHTML = d.mode === 'pair' ? pairTable() : sweepTable();

  /** One small chart: a line per run or condition, and the branch rule. */
  function draw(key, title, values, yTitle) {
    let el = charts.querySelector(`.chart[data-series="${key}"]`);
    if (!el) {
      el = document.createElement('div');
      el.className = 'chart';
      el.dataset.series = key;
      charts.appendChild(el);
    }
    const layers = [
      {
        data: { values },
        mark: { type: 'line', point: { size: 18 } },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'value', type: 'quantitative', title: yTitle, axis: { format: '~g' } },
          color: { field: 'line', type: 'nominal', title: d.mode === 'pair' ? 'run' : 'condition', sort: order, legend: { labelLimit: 280 } },
          tooltip: [{ field: 'line', title: d.mode === 'pair' ? 'run' : 'condition' }, { field: 'step' }, { field: 'value', format: ',.3f' }],
        },
      },
    ];
    if (d.mode === 'pair' && d.branch) {
      layers.push({
        data: { values: [{ step: d.branch.at_step, label: `branch at ${d.branch.at_step}` }] },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
        encoding: { x: { field: 'step', type: 'quantitative' }, tooltip: [{ field: 'label', title: 'branch' }] },
      });
    }
    return board.chart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: 260, height: 160, layer: layers });
  }

  /** Mean VADER sentiment per step of both runs: asked for after the rest, as scoring takes a while on a large run. */
  async function sentiment() {
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.series = 'sentiment';
    el.textContent = 'scoring sentiment…';
    charts.appendChild(el);
    try {
      const [a, b] = await Promise.all([d.a.run, d.b.run].map((run) => board.api(`/api/compare/sentiment?run=${encodeURIComponent(run)}`)));
      const values = [];
      for (const [label, s] of [['A', a], ['B', b]]) for (const p of s.steps) values.push({ line: label, step: p.step, value: p.mean, posts: p.posts });
      el.textContent = '';
      await draw('sentiment', 'mean sentiment per step (VADER)', values, 'compound, −1…1');
      const sampled = [['A', a], ['B', b]].filter(([, s]) => s.scored < s.eligible).map(([l, s]) => `${l}: ${s.scored} of ${s.eligible} posts scored (a fixed sample)`);
      if (sampled.length > 0) el.insertAdjacentHTML('beforeend', `<small>${board.esc(sampled.join('; '))}</small>`);
    } catch (err) {
      el.innerHTML = `<p class="error">sentiment: ${board.esc(err.message)}</p>`;
    }
  }

  function pairLines() {
    const out = [];
    for (const [side, label] of [['a', 'A'], ['b', 'B']]) {
      for (const row of d[side].series) for (const s of d.series) out.push({ line: label, series: s.key, step: row.step, value: row[s.key] });
    }
    return out;
  }

  function sweepLines() {
    return d.points.map((p) => ({ line: p.condition, series: p.series, step: p.step, value: p.mean }));
  }

  function pairTable() {
    const byStep = new Map();
    for (const side of ['a', 'b']) for (const row of d[side].series) (byStep.get(row.step) || byStep.set(row.step, {}).get(row.step))[side] = row;
    const steps = [...byStep.keys()].sort((x, y) => x - y);
    const head = d.series.map((s) => `<th class="num">${board.esc(s.title)} A</th><th class="num">B</th>`).join('');
    const body = steps
      .map((step) => {
        const r = byStep.get(step);
        const shared = d.branch && step < d.branch.at_step ? ' class="shared"' : '';
        const cells = d.series
          .map((s) => ['a', 'b'].map((side) => `<td class="num" data-side="${side}" data-series="${s.key}">${r[side] ? r[side][s.key] : ''}</td>`).join(''))
          .join('');
        return `<tr data-step="${step}"${shared}><td class="num">${step}</td>${cells}</tr>`;
      })
      .join('');
    return `<h2>Per step</h2><table id="compare-table"><thead><tr><th>step</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  function sweepTable() {
    const rows = new Map();
    for (const p of d.points) {
      const k = `${p.condition}\u0000${p.step}`;
      const row = rows.get(k) || rows.set(k, { condition: p.condition, step: p.step, n: p.n }).get(k);
      row[p.series] = p.mean;
    }
    const head = d.series.map((s) => `<th class="num">${board.esc(s.title)}</th>`).join('');
    const body = [...rows.values()]
      .map((r) => `<tr data-condition="${board.esc(r.condition)}" data-step="${r.step}"><td>${board.esc(r.condition)}</td><td class="num">${r.step}</td><td class="num">${r.n}</td>${d.series.map((s) => `<td class="num" data-series="${s.key}">${fmt(r[s.key])}</td>`).join('')}</tr>`)
      .join('');
    return `<h2>Mean over seeds, per condition and step</h2><table id="sweep-table"><thead><tr><th>condition</th><th>step</th><th class="num">runs</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  function fmt(v) {
    return v === undefined ? '' : Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
})();
