import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentTools } from '../../src/agents/llm/tools.js';
import { withSimDb } from '../../src/analysis/open.js';
import { recsysEvaluation } from '../../src/analysis/recsys-eval.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeHandler } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, experiment, fake, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

/** What came after the assistant's last turn: the first prompt, or the tool answers (one of them the next page). */
function lastText(messages: readonly unknown[] | undefined): string {
  const all = (messages ?? []) as { role?: string; content?: unknown }[];
  const from = all.map((m) => m.role).lastIndexOf('assistant') + 1;
  return all.slice(from).map((m) => String(m.content ?? '')).join('\n');
}

/** Opens and likes the first post of each page; asks for pages 2 and 3, then exits rating 7. */
const reader: FakeHandler = (body) => {
  const text = lastText(body.messages);
  const page = Number(/Page (\d+) of your feed/.exec(text)?.[1] ?? 0);
  const first = /\[post (\d+)\]/.exec(text);
  const calls: { name: string; arguments: Record<string, unknown> }[] = [];
  if (first) calls.push({ name: 'view_post', arguments: { post_id: Number(first[1]) } }, { name: 'like', arguments: { post_id: Number(first[1]) } });
  // A second next_page in the same turn must not count as a page.
  if (page > 0 && page < 3 && /next_page for the next page/.test(text)) calls.push({ name: 'next_page', arguments: {} }, { name: 'next_page', arguments: {} });
  else calls.push({ name: 'exit_feed', arguments: { rating: 7 } });
  return { toolCalls: calls };
};

describe('LLM agents in browse mode', () => {
  it('when browse mode is off then the page tools are not offered, and when on they are', () => {
    const names = (browse: boolean): string[] => agentTools(browse).map((t) => t.function.name);
    expect(names(false)).not.toContain('next_page');
    expect(names(true)).toEqual(expect.arrayContaining(['view_post', 'next_page', 'exit_feed']));
  });

  it('when an agent asks for next pages then each is sent in a follow-up turn and the run records exactly the pages shown', async () => {
    const server = await fake(reader);
    const exp = experiment(localModel([server.url]), ['recsys.feed_size=6', 'browse.page_size=2', 'browse.max_pages=3']);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    // The follow-up turns answer the next_page call with the page.
    const followUps = server.requests.filter((r) => /Page 2 of your feed/.test(lastText(r.body?.messages)));
    expect(followUps.length).toBeGreaterThan(0);
    const answers = (followUps[0]!.body!.messages! as { role: string; content: string }[]).filter((m) => m.role === 'tool');
    expect(answers.filter((m) => m.content.startsWith('Page 2 of your feed'))).toHaveLength(1);

    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const perDecision = await db.query<{ step: number; agent: number; pages: number; exits: number; shown: number; views: number; viewed_shown: number }>(`
        WITH t AS (SELECT step, agent_id, action, CAST(args->>'post_id' AS BIGINT) AS post_id FROM trace WHERE ok AND agent_id >= 40)
        SELECT t.step, t.agent_id AS agent,
               (1 + count(*) FILTER (WHERE action = 'next_page'))::INTEGER AS pages,
               count(*) FILTER (WHERE action = 'exit_feed')::INTEGER AS exits,
               (SELECT count(*) FROM impressions i WHERE i.step = t.step AND i.agent_id = t.agent_id AND i.source IN ('recsys', 'home'))::INTEGER AS shown,
               count(*) FILTER (WHERE action = 'view_post')::INTEGER AS views,
               count(*) FILTER (WHERE action = 'view_post' AND post_id IN (SELECT post_id FROM impressions i WHERE i.step = t.step AND i.agent_id = t.agent_id))::INTEGER AS viewed_shown
        FROM t GROUP BY t.step, t.agent_id`);
      expect(perDecision.length).toBe(60);
      for (const d of perDecision) {
        expect(d.exits).toBe(1);
        expect(d.pages).toBeLessThanOrEqual(3);
        expect(d.shown).toBeLessThanOrEqual(2 * d.pages);
        expect(d.viewed_shown).toBe(d.views);
      }
      // With full feeds an agent reads all three pages (two next_page turns, one per page).
      expect(perDecision.filter((d) => d.pages === 3 && d.shown === 6).length).toBeGreaterThan(30);
      const ev = await recsysEvaluation(db);
      expect(ev.s_sat).toBeGreaterThan(1);
    });
  });
});
