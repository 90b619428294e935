/**
 * The replay page (`/replay?run=…&step=…&agent=…&post=…`) and its JSON API, one endpoint per
 * panel. Every endpoint takes the run's address and a step; all reads go through the read-only
 * handles of RunDatabases, one statement at a time.
 */
import type { SimDb } from '../../analysis/open.js';
import { BoardError, escapeHtml as esc, html, intParam, json, param, type BoardContext, type Route } from '../http.js';
import { page } from '../page.js';
import { agentAt, searchAgents } from '../replay/agent.js';
import { egoGraph } from '../replay/graph.js';
import { pickStep, replayMeta, replaySteps } from '../replay/meta.js';
import { stepView } from '../replay/step.js';
import { threadAt } from '../replay/thread.js';
import { resolveRunDir } from '../results.js';
import type { BoardServices } from '../services.js';

export function replayRoutes(services: BoardServices): Route[] {
  /** Runs `work` on the run named by `?run=` at the step named by `?step=` (checked; the last by default). */
  const atStep = <T>(ctx: BoardContext, work: (db: SimDb, step: number) => Promise<T>): Promise<T> => {
    const dir = resolveRunDir(ctx.resultsDir, param(ctx, 'run'));
    return services.dbs.use(dir, async (db) => work(db, pickStep(await replaySteps(db), intParam(ctx, 'step'))));
  };
  const api = (path: string, work: (ctx: BoardContext, db: SimDb, step: number) => Promise<unknown>): Route => ({
    method: 'GET',
    path,
    handle: async (ctx) => json(await atStep(ctx, (db, step) => work(ctx, db, step))),
  });
  return [
    {
      method: 'GET',
      path: '/api/replay/meta',
      handle: async (ctx) => json(await services.dbs.use(resolveRunDir(ctx.resultsDir, param(ctx, 'run')), replayMeta)),
    },
    api('/api/replay/step', (ctx, db, step) => stepView(db, step, { limit: intParam(ctx, 'limit'), before: intParam(ctx, 'before') })),
    api('/api/replay/agent', (ctx, db, step) => agentAt(db, param(ctx, 'agent'), step)),
    api('/api/replay/agents', (ctx, db) => searchAgents(db, ctx.url.searchParams.get('q') ?? '')),
    api('/api/replay/thread', (ctx, db, step) => {
      const post = intParam(ctx, 'post');
      if (post === undefined) throw new BoardError(400, 'missing query parameter "post"');
      return threadAt(db, post, step);
    }),
    api('/api/replay/graph', (ctx, db, step) => {
      const agent = intParam(ctx, 'agent');
      if (agent === undefined) throw new BoardError(400, 'missing query parameter "agent" (a user id)');
      return egoGraph(db, agent, step, Math.min(intParam(ctx, 'cap') ?? 150, 400));
    }),
    {
      method: 'GET',
      path: '/replay',
      handle: async (ctx) => {
        const run = param(ctx, 'run');
        const meta = await services.dbs.use(resolveRunDir(ctx.resultsDir, run), replayMeta);
        return html(page({ title: `Replay ${run}`, body: replayBody(run), data: { run, meta }, scripts: ['replay.js'], charts: true }));
      },
    },
  ];
}

/** The page's frame; replay.js fills the panels from the API. */
function replayBody(run: string): string {
  return `<link rel="stylesheet" href="/static/replay.css">
<h1>Replay <small>${esc(run)}</small></h1>
<section class="player" id="player">
  <button id="prev" title="previous step (←)">◀</button>
  <button id="play" title="play / pause (space)">▶ play</button>
  <button id="next" title="next step (→)">▶</button>
  <label>speed <select id="speed"><option value="0.5">0.5</option><option value="1" selected>1</option><option value="2">2</option><option value="4">4</option></select> steps/s</label>
  <input type="range" id="slider" min="0" max="0" step="1" aria-label="step">
  <span id="step-label"></span>
</section>
<div class="replay-grid">
<section id="platform"><h2>Platform <small id="platform-info"></small></h2>
  <table id="posts"><thead><tr><th>post</th><th>step</th><th>author</th><th>kind</th><th>text</th><th title="likes standing at this step">♥</th><th title="reposts by this step">⟳</th><th title="replies by this step">↩</th></tr></thead><tbody></tbody></table>
  <button id="more-posts" hidden>older posts</button>
</section>
<section id="agent-panel"><h2>Agent</h2>
  <input id="agent-search" type="search" placeholder="username or id" autocomplete="off">
  <ul id="agent-hits"></ul>
  <div id="agent"><p class="empty">Pick an agent: search above, or click an author.</p></div>
</section>
</div>
<section id="thread-panel"><h2>Thread and cascade</h2><div id="thread"><p class="empty">Click a post id to open its thread.</p></div></section>
<section id="graph-panel"><h2>Follow graph <small id="graph-info"></small></h2>
  <label>colour by <select id="colour-by"><option value="cohort">cohort</option><option value="stance">stance</option></select></label>
  <div id="graph"><p class="empty">Pick an agent to see who it follows and who follows it.</p></div>
</section>`;
}
