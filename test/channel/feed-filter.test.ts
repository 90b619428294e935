import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentAction } from '../../src/channel/actions/types.js';
import type { AgentPolicy, Decision } from '../../src/agents/types.js';
import { Channel } from '../../src/channel/channel.js';
import { openRun } from './open-run.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { buildPopulation } from '../../src/engine/setup.js';
import { simulate } from '../../src/engine/simulate.js';
import { recommenderFor } from '../../src/recsys/registry.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const YAML = `
name: feed-filter
seed: 11
clock: { timesteps: 4, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 3, initial_posts_per_agent: 2 } }
models: { stat: { provider: statistical } }
cohorts: [{ name: all, count: 30, model: stat, activity: 1.0 }]
activation: { profile: flat }
recsys: { kind: popularity, refresh_every: 1, feed_size: 10, window: 6, home_timeline: 0 }
platform: { report_threshold: 1 }
`;

interface Scripted {
  deleted: number;
  flagged: number;
  muter: number;
  muted: number;
}

/**
 * A scripted policy that records every feed it is shown. At step 1 it has the author of the
 * top post delete it, a reader report the second (threshold 1 flags it), another mute the
 * author of the third, and someone reply to the fourth, which its author then hides.
 */
function recordingPolicy(shown: Map<string, number[]>, scripted: Scripted): AgentPolicy {
  return {
    name: 'recording',
    wantsContext: false,
    async decideAll(step, requests) {
      for (const r of requests) shown.set(`${step}/${r.persona.userId}`, r.observation.feed.map((p) => p.postId));
      const plan = new Map<number, AgentAction[]>();
      const add = (user: number, a: AgentAction): void => void (plan.get(user) ?? plan.set(user, []).get(user)!).push(a);
      if (step === 1) {
        const feed = requests[0]!.observation.feed;
        const [top, second, third] = [feed[0]!, feed[1]!, feed[2]!];
        scripted.deleted = top.postId;
        scripted.flagged = second.postId;
        scripted.muted = third.authorId;
        add(top.authorId, { action: 'delete_post', args: { post_id: top.postId } });
        const others = requests.map((r) => r.persona.userId).filter((u) => ![top.authorId, second.authorId, third.authorId].includes(u));
        add(others[0]!, { action: 'report_post', args: { post_id: second.postId } });
        scripted.muter = others[1]!;
        add(others[1]!, { action: 'mute', args: { user_id: third.authorId } });
      }
      requests.forEach((r, i) => {
        if ((i + step) % 3 === 0) add(r.persona.userId, { action: 'create_post', args: { text: `post ${step}/${i} #tech` } });
        const first = r.observation.feed[0];
        if (first && i % 4 === 0) add(r.persona.userId, { action: 'reply', args: { post_id: first.postId, text: 'a reply' } });
      });
      return requests.map((r): Decision => ({ actions: plan.get(r.persona.userId) ?? [{ action: 'do_nothing', args: {} }] }));
    },
  };
}

describe('feeds as agents see them', () => {
  it('when posts are deleted or flagged and authors muted then later feeds leave them out, and impressions are exactly what was shown', async () => {
    const exp = parseExperiment(YAML, 'feed-filter.yaml');
    const channel = await Channel.open(join(tempDir(), 'sim.duckdb'));
    const shown = new Map<string, number[]>();
    const scripted: Scripted = { deleted: -1, flagged: -1, muter: -1, muted: -1 };
    await simulate({
      experiment: exp,
      channel,
      population: await buildPopulation(exp),
      recommender: recommenderFor(exp),
      policies: new Map([['all', recordingPolicy(shown, scripted)]]),
    });
    expect(shown.size).toBe(4 * 30);

    const later = [...shown].filter(([k]) => Number(k.split('/')[0]) >= 2);
    expect(later.length).toBeGreaterThan(0);
    for (const [, feed] of later) {
      expect(feed).not.toContain(scripted.deleted);
      expect(feed).not.toContain(scripted.flagged);
    }
    const authors = new Map((await channel.db.query<{ id: number; a: number; kind: string }>('SELECT post_id::INTEGER AS id, author_id AS a, kind FROM posts')).map((r) => [r.id, r]));
    const mutedPostsSeen = (key: string): number => (shown.get(key) ?? []).filter((id) => authors.get(id)?.a === scripted.muted).length;
    expect(mutedPostsSeen(`2/${scripted.muter}`) + mutedPostsSeen(`3/${scripted.muter}`)).toBe(0);
    // the mute is the muter's alone: others still see the muted author's posts
    expect(later.some(([k, feed]) => k.split('/')[1] !== String(scripted.muter) && feed.some((id) => authors.get(id)?.a === scripted.muted))).toBe(true);
    // replies exist but are never feed candidates
    expect([...authors.values()].some((p) => p.kind === 'comment')).toBe(true);
    for (const [, feed] of shown) for (const id of feed) expect(authors.get(id)?.kind).toMatch(/^(original|quote)$/);

    const impressions = await channel.db.query<{ step: number; agent: number; post: number; rank: number; source: string }>(
      'SELECT step, agent_id AS agent, post_id::INTEGER AS post, rank, source FROM impressions ORDER BY step, agent_id, rank',
    );
    const expected = [...shown]
      .map(([k, feed]) => ({ step: Number(k.split('/')[0]), agent: Number(k.split('/')[1]), feed }))
      .sort((a, b) => a.step - b.step || a.agent - b.agent)
      .flatMap(({ step, agent, feed }) => feed.map((post, rank) => ({ step, agent, post, rank, source: 'recsys' })));
    expect(impressions).toEqual(expected);
    await channel.close();
  });

  it('when a quickstart-sized run finishes then every new statistical behaviour is in trace and feeds obey deletes, flags and mutes', async () => {
    const exp = smallExperiment({
      overrides: ['clock.timesteps=24', 'cohorts[0].count=800', 'cohorts[1].count=200', 'cohorts[0].activity=0.3', 'platform.report_threshold=1'],
    });
    const { dir } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    await openRun(join(dir, 'sim.duckdb'), async (q) => {
      const ok = await q<{ action: string; n: number }>('SELECT action, count(*)::INTEGER AS n FROM trace WHERE ok GROUP BY action');
      const counts = new Map(ok.map((r) => [r.action, r.n]));
      for (const a of ['reply', 'quote_post', 'bookmark', 'mute', 'dislike', 'report_post', 'delete_post']) expect(counts.get(a) ?? 0, a).toBeGreaterThan(0);
      expect(await q('SELECT count(*)::INTEGER AS n FROM posts WHERE flagged_step IS NOT NULL')).not.toEqual([{ n: 0 }]);
      // nothing is shown after it was deleted or flagged, or to someone who muted its author
      expect(
        await q(`SELECT count(*)::INTEGER AS n FROM impressions i JOIN posts p USING (post_id)
                 WHERE i.step > coalesce(p.deleted_step, 1e9) OR i.step > coalesce(p.flagged_step, 1e9) OR p.kind NOT IN ('original', 'quote')`),
      ).toEqual([{ n: 0 }]);
      expect(
        await q(`SELECT count(*)::INTEGER AS n FROM impressions i JOIN posts p USING (post_id)
                 JOIN mutes m ON m.user_id = i.agent_id AND m.muted_id = p.author_id AND i.step > m.created_step`),
      ).toEqual([{ n: 0 }]);
      expect(await q('SELECT count(DISTINCT step)::INTEGER AS n FROM impressions')).toEqual([{ n: 24 }]);
    });
  }, 60_000);
});
