// The replay page: a step player over a run, and panels (platform, agent, thread and cascade,
// follow graph) each filled from its /api/replay/* endpoint. The step, agent and opened post live
// in the URL (history.replaceState), so a view can be shared by copying the address.
'use strict';
(() => {
  const { run, meta } = board.data;
  const steps = meta.steps.map((s) => s.step);
  const $ = (id) => document.getElementById(id);
  const esc = board.esc;
  const q = new URLSearchParams(location.search);
  const state = {
    i: Math.max(0, steps.indexOf(Number(q.get('step') ?? steps[steps.length - 1]))),
    agent: q.get('agent') || null,
    post: q.get('post') ? Number(q.get('post')) : null,
    timer: null,
  };
  // Each panel drops answers to requests older than its latest (the player can outrun them).
  const seq = { step: 0, agent: 0, thread: 0, graph: 0 };
  const step = () => steps[state.i];
  const api = (path, extra) => board.api(`/api/replay/${path}?${new URLSearchParams({ run, step: String(step()), ...extra })}`);

  function writeUrl() {
    const u = new URLSearchParams({ run, step: String(step()) });
    if (state.agent !== null) u.set('agent', state.agent);
    if (state.post !== null) u.set('post', String(state.post));
    history.replaceState(null, '', `/replay?${u}`);
  }

  const userLink = (id, name) => `<a class="user" data-user="${esc(id)}">@${esc(name)}</a>`;
  const postLink = (id) => `<a class="post" data-post="${esc(id)}">${esc(id)}</a>`;
  const problem = (el, err) => (el.innerHTML = `<p class="error">${esc(err.message)}</p>`);

  // --- player -------------------------------------------------------------------------------
  const slider = $('slider');
  slider.max = String(steps.length - 1);
  function go(i) {
    state.i = Math.min(Math.max(i, 0), steps.length - 1);
    slider.value = String(state.i);
    const s = meta.steps[state.i];
    $('step-label').textContent = `step ${s.step} of ${steps[0]}–${steps[steps.length - 1]} · ${s.sim_time}`;
    $('step-label').dataset.step = String(s.step);
    writeUrl();
    loadStep();
    if (state.agent !== null) loadAgent();
    if (state.post !== null) loadThread();
  }
  function pause() {
    clearInterval(state.timer);
    state.timer = null;
    $('play').textContent = '▶ play';
  }
  function play() {
    if (state.i >= steps.length - 1) go(0);
    $('play').textContent = '❚❚ pause';
    state.timer = setInterval(() => (state.i >= steps.length - 1 ? pause() : go(state.i + 1)), 1000 / Number($('speed').value));
  }
  const toggle = () => (state.timer === null ? play() : pause());
  $('play').addEventListener('click', toggle);
  $('prev').addEventListener('click', () => go(state.i - 1));
  $('next').addEventListener('click', () => go(state.i + 1));
  $('speed').addEventListener('change', () => {
    if (state.timer !== null) (pause(), play());
  });
  slider.addEventListener('input', () => go(Number(slider.value)));
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t instanceof HTMLInputElement && t.type !== 'range') return;
    if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
    // Handled here (also on the focused slider, whose own arrow handling would step twice).
    if (e.key === 'ArrowLeft') go(state.i - 1);
    else if (e.key === 'ArrowRight') go(state.i + 1);
    else if (e.key === ' ') toggle();
    else return;
    e.preventDefault();
  });

  // --- platform -----------------------------------------------------------------------------
  function postRows(posts) {
    return posts
      .map(
        (p) => `<tr data-post="${p.post_id}" data-kind="${esc(p.kind)}" class="${p.created_step === step() ? 'now' : ''}${p.deleted ? ' deleted' : ''}">
<td>${postLink(p.post_id)}</td><td class="num">${p.created_step}</td><td>${userLink(p.author_id, p.author)}</td><td>${esc(p.kind)}${p.parent_id !== null ? ` of ${postLink(p.parent_id)}` : ''}</td>
<td class="text">${esc(p.text)}</td><td class="num">${p.likes}</td><td class="num">${p.reposts}</td><td class="num">${p.replies}</td></tr>`,
      )
      .join('');
  }
  async function loadStep(before) {
    const my = ++seq.step;
    const body = $('posts').tBodies[0];
    try {
      const v = await api('step', before === undefined ? {} : { before: String(before) });
      if (my !== seq.step) return;
      if (before === undefined) body.innerHTML = postRows(v.posts);
      else body.insertAdjacentHTML('beforeend', postRows(v.posts));
      $('platform-info').textContent = `${v.written} post(s) written in step ${v.step}; newest first, counts as of this step`;
      const more = $('more-posts');
      more.hidden = !v.more;
      more.dataset.before = v.posts.length > 0 ? String(v.posts[v.posts.length - 1].post_id) : '';
      $('platform').dataset.step = String(v.step);
    } catch (err) {
      if (my === seq.step) problem($('platform-info'), err);
    }
  }
  $('more-posts').addEventListener('click', (e) => loadStep(Number(e.target.dataset.before)));

  // --- agent --------------------------------------------------------------------------------
  /** The chat as sent, role by role (an assistant turn's tool calls as name(arguments)). */
  function promptHtml(messages) {
    return `<ol class="prompt">${messages
      .map((m) => {
        const calls = Array.isArray(m.tool_calls) ? m.tool_calls.map((t) => `${(t.function && t.function.name) || '?'}(${(t.function && t.function.arguments) || ''})`) : [];
        const text = [typeof m.content === 'string' ? m.content : '', ...calls].filter((x) => x !== '').join('\n');
        return `<li data-role="${esc(m.role)}"><b>${esc(m.role)}</b><pre>${esc(text)}</pre></li>`;
      })
      .join('')}</ol>`;
  }
  function agentHtml(a) {
    const u = a.user;
    const feed = a.shown.length === 0 ? '<p class="empty">Shown nothing this step (not active, or an empty feed).</p>'
      : `<table id="agent-feed"><thead><tr><th>rank</th><th>source</th><th>post</th><th>author</th><th>text</th></tr></thead><tbody>${a.shown
          .map((p) => `<tr data-post="${p.post_id}" data-source="${esc(p.source)}" data-rank="${p.rank}"><td class="num">${p.rank}</td><td>${esc(p.source)}</td><td>${postLink(p.post_id)}${p.via_post_id !== null ? ` <small>via ${postLink(p.via_post_id)}</small>` : ''}</td><td>@${esc(p.author)}</td><td class="text">${esc(p.text)}</td></tr>`)
          .join('')}</tbody></table>`;
    const actions = a.actions.length === 0 ? '<p class="empty">No actions this step.</p>'
      : `<ol id="agent-actions">${a.actions.map((x) => `<li class="${x.ok ? 'ok' : 'fail'}"><code>${esc(x.action)}</code> ${esc(x.args === '{}' ? '' : x.args)}${x.ok ? '' : ` — ${esc(x.error ?? '')}`}</li>`).join('')}</ol>`;
    const wrote = a.wrote.length === 0 ? '' : `<h3>Wrote</h3><ul>${a.wrote.map((p) => `<li>${postLink(p.post_id)} ${esc(p.kind)}${p.parent_id !== null ? ` of ${postLink(p.parent_id)}` : ''}: ${esc(p.text)}</li>`).join('')}</ul>`;
    const followed = a.followed_by.length === 0 ? '' : `<h3>Followed by</h3><p>${a.followed_by.map((f) => `@${esc(f)}`).join(', ')}</p>`;
    const llm = a.llm.length === 0 ? '' : `<h3>Model</h3>${a.llm
      .map((c) => `<div class="llm"><p>${esc(c.outcome)}, ${c.attempts} attempt(s), ${Math.round(c.latency_ms)} ms, ${c.prompt_tokens}+${c.completion_tokens} tokens${c.error ? ` — <span class="fail">${esc(c.error)}</span>` : ''}</p>
<h4>Prompt</h4>${c.messages ? promptHtml(c.messages) : '<p class="empty prompt">prompt not recorded for this run</p>'}
<h4>Answer</h4>${c.response ? `<pre class="answer">${esc(c.response)}</pre>` : '<p class="empty answer">no answer</p>'}</div>`)
      .join('')}`;
    return `<h3 id="agent-name" data-user="${u.user_id}">@${esc(u.username)} <small>user ${u.user_id} · ${esc(u.name)} · ${esc(u.kind)}, cohort ${esc(u.cohort)}, model ${esc(u.model)}</small></h3>
<h3>Feed at step ${a.step}</h3>${feed}<h3>Actions</h3>${actions}${wrote}${followed}${llm}`;
  }
  async function loadAgent() {
    const my = ++seq.agent;
    const el = $('agent');
    try {
      const a = await api('agent', { agent: state.agent });
      if (my !== seq.agent) return;
      el.innerHTML = agentHtml(a);
      el.dataset.step = String(a.step);
      el.dataset.user = String(a.user.user_id);
      loadGraph(a.user.user_id);
    } catch (err) {
      if (my === seq.agent) problem(el, err);
    }
  }
  function openAgent(who) {
    state.agent = String(who);
    writeUrl();
    loadAgent();
  }
  let searchTimer = null;
  $('agent-search').addEventListener('input', (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      try {
        const hits = await api('agents', { q: e.target.value });
        $('agent-hits').innerHTML = hits.map((h) => `<li>${userLink(h.user_id, h.username)} <small>${esc(h.cohort)}</small></li>`).join('');
      } catch (err) {
        problem($('agent-hits'), err);
      }
    }, 150);
  });
  $('agent-search').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.value.trim() !== '') openAgent(e.target.value.trim());
  });

  // --- thread and cascade -------------------------------------------------------------------
  // Steps coloured on one scale so a cascade reads as it grows (early blue → late orange).
  const stepColour = (s) => `hsl(${210 - (180 * (steps.indexOf(s) < 0 ? 0 : steps.indexOf(s))) / Math.max(steps.length - 1, 1)}, 70%, 50%)`;
  const threadPost = (p, cls) => `<div class="tpost ${cls}" data-post="${p.post_id}" style="margin-left:${Math.max(p.depth, 0) * 1.2}em">${postLink(p.post_id)} <small>step ${p.created_step} · ${esc(p.kind)}</small> ${userLink(p.author_id, p.author)}: ${esc(p.text)}</div>`;
  function cascadeTree(nodes) {
    const kids = new Map();
    for (const n of nodes) if (n.parent !== null) kids.set(n.parent, [...(kids.get(n.parent) ?? []), n]);
    const item = (n) => `<li data-user="${n.user_id}" data-step="${n.step}"><span class="swatch" style="background:${stepColour(n.step)}"></span>${userLink(n.user_id, n.username)} <small>step ${n.step}</small>${
      kids.has(n.user_id) ? `<ul class="tree">${kids.get(n.user_id).map(item).join('')}</ul>` : ''}</li>`;
    const root = nodes.find((n) => n.parent === null);
    return root ? `<ul class="tree" id="cascade">${item(root)}</ul>` : '';
  }
  async function loadThread() {
    const my = ++seq.thread;
    const el = $('thread');
    try {
      const t = await api('thread', { post: String(state.post) });
      if (my !== seq.thread) return;
      const reposters = t.cascade.nodes.length - 1;
      const legend = steps.filter((s) => s <= t.step).map((s) => `<span class="swatch" style="background:${stepColour(s)}"></span>${s} `).join('');
      el.innerHTML = `<div id="thread-posts">${t.ancestors.map((p) => threadPost(p, 'ancestor')).join('')}${threadPost(t.post, 'focus')}${t.replies.map((p) => threadPost(p, 'reply')).join('')}</div>
${t.replies_capped ? '<p class="empty">More replies than shown.</p>' : ''}
<h3>Cascade <small>${reposters} reposter(s) by step ${t.step}, tree ${esc(t.cascade.method)}; colour = step: ${legend}</small></h3>${cascadeTree(t.cascade.nodes)}`;
      el.dataset.step = String(t.step);
      el.dataset.post = String(t.post.post_id);
    } catch (err) {
      if (my === seq.thread) problem(el, err);
    }
  }
  function openPost(id) {
    state.post = Number(id);
    writeUrl();
    loadThread();
    $('thread-panel').scrollIntoView({ block: 'nearest' });
  }

  // --- follow graph -------------------------------------------------------------------------
  let lastGraph = null;
  function drawGraph() {
    const g = lastGraph;
    const by = $('colour-by').value === 'stance' && meta.has_stance ? 'stance' : 'cohort';
    const at = new Map(g.nodes.map((n) => [n.user_id, n]));
    const rules = g.edges.map((e) => ({ x: at.get(e.source).x, y: at.get(e.source).y, x2: at.get(e.target).x, y2: at.get(e.target).y }));
    const colour = by === 'stance'
      ? { field: 'stance', type: 'quantitative', scale: { scheme: 'redblue', domain: [-1, 1] } }
      : { field: 'cohort', type: 'nominal' };
    board.chart($('graph'), {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 520, height: 420,
      layer: [
        { data: { values: rules }, mark: { type: 'rule', opacity: 0.25 }, encoding: { x: { field: 'x', type: 'quantitative', axis: null }, y: { field: 'y', type: 'quantitative', axis: null }, x2: { field: 'x2' }, y2: { field: 'y2' } } },
        { data: { values: g.nodes }, mark: { type: 'point', filled: true, opacity: 0.9 },
          encoding: { x: { field: 'x', type: 'quantitative', axis: null }, y: { field: 'y', type: 'quantitative', axis: null }, color: colour,
            shape: { field: 'role', type: 'nominal' }, size: { condition: { test: `datum.role === 'agent'`, value: 220 }, value: 60 },
            tooltip: [{ field: 'username' }, { field: 'user_id' }, { field: 'role' }, { field: 'cohort' }, { field: 'stance', format: '.2f' }] } },
      ],
    }).then(() => ($('graph').dataset.step = String(g.step)), (err) => problem($('graph'), err));
  }
  async function loadGraph(userId) {
    const my = ++seq.graph;
    try {
      const g = await api('graph', { agent: String(userId) });
      if (my !== seq.graph) return;
      lastGraph = g;
      $('graph-info').textContent = `@${g.nodes[0].username} at step ${g.step}: follows ${g.followees}, followed by ${g.followers}; ${g.nodes.length} nodes, ${g.edges.length} follows drawn${g.left_out > 0 ? `, ${g.left_out} neighbours left out` : ''}`;
      $('graph').dataset.nodes = String(g.nodes.length);
      drawGraph();
    } catch (err) {
      if (my === seq.graph) problem($('graph'), err);
    }
  }
  if (!meta.has_stance) $('colour-by').querySelector('option[value="stance"]').disabled = true;
  $('colour-by').addEventListener('change', () => lastGraph && drawGraph());

  // --- clicks anywhere: authors open the agent panel, post ids open the thread ----------------
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a.user, a.post');
    if (!a) return;
    e.preventDefault();
    if (a.classList.contains('user')) openAgent(a.dataset.user);
    else openPost(a.dataset.post);
  });

  go(state.i);
})();
