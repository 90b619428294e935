import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offerableActions } from '../../src/agents/llm/tools.js';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeHandler, FakeServer } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, experiment, fake, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';
import schema from '../../schemas/experiment.schema.json' with { type: 'json' };

closeFakeServersAfterEach();

const toolNames = (s: FakeServer): string[][] =>
  s.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => (r.body?.tools ?? []).map((t) => t.function?.name ?? ''));

/** Follows user 0 (not offered below), also when told it is not offered, and likes the top post of the feed. */
const followerAndLiker: FakeHandler = (body) => {
  const last = JSON.stringify(body.messages ?? []);
  const m = /\[post (\d+)\]/.exec(last);
  return { toolCalls: [{ name: 'follow', arguments: { user_id: 0 } }, ...(m ? [{ name: 'like', arguments: { post_id: Number(m[1]) } }] : [])] };
};

describe('actions offered to an LLM model', () => {
  it('when a model lists its actions then only those are sent as tools, and another one is refused and traced as failed', async () => {
    const server = await fake(followerAndLiker);
    const exp = experiment(localModel([server.url], ', actions: [like, create_post, do_nothing]'));
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    for (const names of toolNames(server)) expect(names.sort()).toEqual(['create_post', 'do_nothing', 'like']);
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const rows = await db.query<{ action: string; ok: boolean; n: number; error: string | null }>(
        `SELECT action, ok, count(*)::INTEGER AS n, any_value(error) AS error FROM trace WHERE agent_id >= 40 AND action IN ('follow', 'like') GROUP BY ALL ORDER BY ALL`,
      );
      const follow = rows.find((r) => r.action === 'follow');
      expect(follow).toMatchObject({ ok: false });
      expect(follow!.error).toMatch(/^action follow is not offered here; offered: /);
      expect(rows.some((r) => r.action === 'like' && r.ok)).toBe(true);
      expect(rows.some((r) => r.action === 'follow' && r.ok)).toBe(false);
    });
  });

  it('when browse mode is on then the page actions are offered whatever the list', async () => {
    const server = await fake(() => ({ toolCalls: [{ name: 'exit_feed', arguments: { rating: 5 } }] }));
    const exp = experiment(localModel([server.url], ', actions: [like]'), ['browse.page_size=2']);
    await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    for (const names of toolNames(server)) expect(names.sort()).toEqual(['exit_feed', 'like', 'next_page', 'view_post']);
  });

  it('when the context leaves too little room after the tool schemas then the run is refused before it starts, and fewer actions make room', async () => {
    const server = await fake(() => ({ toolCalls: [{ name: 'do_nothing', arguments: {} }] }));
    const root = tempDir();
    await expect(runExperiment(experiment(localModel([server.url], ', context_tokens: 3500')), { resultsRoot: root, quiet: true })).rejects.toThrow(
      /^model "local": context_tokens 3500 leaves -\d+ tokens for the prompt after max_tokens \(256\) and the tool schemas of all \d+ actions \(~\d+\); at least 768 are needed: raise context_tokens, list fewer actions \(models\.local\.actions\), or use tool_mode: json$/,
    );
    expect(readdirSync(root)).toEqual([]);
    const { info } = await runExperiment(experiment(localModel([server.url], ', context_tokens: 3500, actions: [like, repost, create_post, do_nothing]')), { resultsRoot: root, quiet: true });
    expect(info.status).toBe('completed');
    expect(server.requests.some((r) => /\[post \d+\]/.test(JSON.stringify(r.body?.messages ?? [])))).toBe(true);
  });

  it('when the list names an unknown action then loading says which ones exist, and the schema lists exactly the offerable actions', () => {
    const yaml = `name: x\nmodels:\n  m: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"], actions: [like, poke] }\ncohorts: [{ name: a, count: 2, model: m }]\n`;
    expect(() => parseExperiment(yaml, 'x.yaml')).toThrow(/models\.m\.actions\[1\].*poke/s);
    const items = (schema.$defs.openaiCompatibleModel.properties as Record<string, { items?: { enum?: string[] } }>).actions!.items!.enum!;
    expect([...items].sort()).toEqual(offerableActions().sort());
  });
});
