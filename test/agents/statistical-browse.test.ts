import { describe, expect, it } from 'vitest';
import type { AgentAction } from '../../src/channel/actions/types.js';
import { createStatisticalPolicy } from '../../src/agents/statistical.js';
import type { Observation } from '../../src/agents/types.js';
import { parseExperiment } from '../../src/config/load.js';
import type { StatisticalModelConfig } from '../../src/config/types.js';
import type { Persona } from '../../src/data/personas.js';
import { post } from '../helpers/recsys.js';

const DEFAULTS = parseExperiment('name: t\ncohorts: [{name: a, count: 50, model: stat}]', 'x.yaml').models['stat'] as StatisticalModelConfig;
const QUIET: Partial<StatisticalModelConfig> = { post_prob: 0, like_base: 0, repost_base: 0, follow_on_engage: 0, unlike_prob: 0, unfollow_prob: 0, reply_prob: 0, quote_prob: 0, bookmark_prob: 0, mute_prob: 0, dislike_base: 0, report_prob: 0, delete_prob: 0 };

const persona = (userId: number): Persona => ({ ...basePersona, userId });
const basePersona: Persona = { userId: 0, username: 'u', name: 'U', bio: '', cohort: 'a', model: 'stat', interests: ['tech'], activity: 0.5, influence: 1 };

/** Twelve feed posts: on-topic (#tech) where `relevant(i)`, else #food. */
function feed(relevant: (i: number) => boolean) {
  return Array.from({ length: 12 }, (_, i) => post(100 + i, 50, { text: relevant(i) ? 'new chip #tech' : 'soup #food' }));
}

function observation(f: ReturnType<typeof feed>, pageSize = 5, maxPages = 3): Observation {
  return { step: 1, simTime: '2024-01-01T01:00:00.000Z', feed: f, followees: new Set(), liked: new Set(), reposted: new Set(), browse: { pageSize, maxPages } };
}

async function decide(over: Partial<StatisticalModelConfig>, obs: Observation, agent = 1, seed = 1): Promise<AgentAction[]> {
  const policy = createStatisticalPolicy(seed, { ...DEFAULTS, ...QUIET, ...over });
  const [d] = await policy.decideAll(1, [{ persona: persona(agent), observation: obs }]);
  return [...(d?.actions ?? [])];
}

const names = (as: readonly AgentAction[]): string[] => as.map((a) => a.action);
const postIds = (as: readonly AgentAction[], name: string): number[] => as.filter((a) => a.action === name).map((a) => a.args['post_id'] as number);

describe('statistical policy in browse mode', () => {
  it('when every post is on topic and next pages are certain then it reads max_pages pages, opens every post and rates 10', async () => {
    const actions = await decide({ view_prob: 1, next_page_base: 1 }, observation(feed(() => true)));
    expect(postIds(actions, 'view_post')).toEqual(Array.from({ length: 12 }, (_, i) => 100 + i).slice(0, 12));
    expect(names(actions).filter((n) => n === 'next_page')).toHaveLength(2);
    expect(actions.at(-1)).toEqual({ action: 'exit_feed', args: { rating: 10 } });
  });

  it('when the first page holds nothing of interest and next_page_base is 0 then it exits after one page rating 1', async () => {
    const actions = await decide({ view_prob: 1, next_page_base: 0, next_page_relevance: 1 }, observation(feed(() => false)));
    expect(postIds(actions, 'view_post')).toEqual([100, 101, 102, 103, 104]);
    expect(names(actions)).not.toContain('next_page');
    expect(actions.at(-1)).toEqual({ action: 'exit_feed', args: { rating: 1 } });
  });

  it('when likes are certain then it likes only posts it opened, each right after its view', async () => {
    const actions = await decide({ view_prob: 0.5, like_base: 1, next_page_base: 1 }, observation(feed((i) => i % 2 === 0)));
    const viewed = postIds(actions, 'view_post');
    expect(viewed.length).toBeGreaterThan(0);
    expect(postIds(actions, 'like')).toEqual(viewed);
    actions.forEach((a, i) => {
      if (a.action === 'like') expect(actions[i - 1]).toEqual({ action: 'view_post', args: a.args });
    });
  });

  it('when half of what it saw matched its interests then the rating is 1 + 9 × 1/2 rounded', async () => {
    const actions = await decide({ view_prob: 0, next_page_base: 1 }, observation(feed((i) => i < 6), 4, 3));
    expect(actions.at(-1)).toEqual({ action: 'exit_feed', args: { rating: Math.round(1 + 9 * 0.5) } });
  });

  it('when on-topic pages raise the chance to go on then relevant feeds are read deeper over many agents', async () => {
    const over = { view_prob: 0.3, next_page_base: 0.1, next_page_relevance: 0.8 };
    let relevantPages = 0;
    let offTopicPages = 0;
    for (let agent = 1; agent <= 200; agent++) {
      relevantPages += 1 + names(await decide(over, observation(feed(() => true)), agent)).filter((n) => n === 'next_page').length;
      offTopicPages += 1 + names(await decide(over, observation(feed(() => false)), agent)).filter((n) => n === 'next_page').length;
    }
    expect(relevantPages).toBeGreaterThan(offTopicPages * 1.5);
  });

  it('when its own post is on a page then it neither opens nor counts it', async () => {
    const f = feed(() => true).map((p, i) => (i === 1 ? { ...p, authorId: 1 } : p));
    const actions = await decide({ view_prob: 1, next_page_base: 0, next_page_relevance: 0 }, observation(f), 1);
    expect(postIds(actions, 'view_post')).toEqual([100, 102, 103, 104]);
  });
});

describe('statistical policy and labels', () => {
  it('when a post carries a distrust label then it is liked and reposted far less than the same post unlabelled', async () => {
    const policy = createStatisticalPolicy(3, { ...DEFAULTS, ...QUIET, like_base: 0.3, repost_base: 0.3, read_depth: 1 });
    const count = async (label: string | null): Promise<number> => {
      let n = 0;
      for (let agent = 1; agent <= 400; agent++) {
        const obs: Observation = { step: 2, simTime: '', feed: [post(7, 99, { text: 'x #tech', label })], followees: new Set(), liked: new Set(), reposted: new Set() };
        const [d] = await policy.decideAll(2, [{ persona: persona(agent), observation: obs }]);
        n += d!.actions.filter((a) => a.action === 'like' || a.action === 'repost').length;
      }
      return n;
    };
    const plain = await count(null);
    const disputed = await count('disputed');
    expect(plain).toBeGreaterThan(200);
    // Expected ratio 0.2 (distrust_factor default) up to the cap at p = 1; leave room for chance.
    expect(disputed).toBeLessThan(plain * 0.35);
    expect(await count('news')).toBeGreaterThan(plain * 0.8);
  });
});
