import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeServer } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

/** Feed posts in the first user message of every chat request. */
function postsInPrompts(server: FakeServer): number[] {
  return server.requests
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => ((r.body?.messages as { role: string; content: string }[] | undefined)?.find((m) => m.role === 'user')?.content.match(/\[post \d+\]/g) ?? []).length);
}

async function llmImpressions(dir: string): Promise<number> {
  const row = await withSimDb(join(dir, 'sim.duckdb'), (db) => db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM impressions WHERE agent_id >= 40 AND source IN ('recsys', 'home')`));
  return row!.n;
}

describe('impressions of LLM agents', () => {
  it('when the prompt fits the context then every feed post shown is an impression', async () => {
    const server = await fake(likeTop);
    const { dir } = await runExperiment(experiment(localModel([server.url])), { resultsRoot: tempDir(), quiet: true });
    const shown = postsInPrompts(server).reduce((a, b) => a + b, 0);
    expect(shown).toBeGreaterThan(0);
    expect(await llmImpressions(dir)).toBe(shown);
  });

  it('when fitting the context cuts the feed short then only the posts the prompt held count as shown', async () => {
    const server = await fake(likeTop);
    // A 1,450-token context holds 10 or 20 of the 20 feed posts, depending on the agent.
    const exp = experiment(localModel([server.url], ', context_tokens: 1450, actions: [like, follow, create_post, do_nothing]'), ['recsys.feed_size=20']);
    const { dir } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    const perPrompt = postsInPrompts(server);
    expect(Math.min(...perPrompt)).toBeLessThan(20);
    expect(Math.max(...perPrompt)).toBe(20);
    expect(await llmImpressions(dir)).toBe(perPrompt.reduce((a, b) => a + b, 0));
  });
});
