import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { formatTimeline, parseStepRange, timelineHtml, userTimeline } from '../../src/analysis/timeline.js';
import { channelWithPosts, HOUR, T0 } from '../channel/helpers.js';

/**
 * Users 0..3 (0 follows 1); posts 1 (by 1) and 2 (by 2). Step 0: user 0 is shown [2, 1] from
 * its feed, asks its model (answered), likes 1 and writes post 3; user 3 follows user 0. Step 1:
 * user 0 searches (shown 3 by search) and its follow of 2 fails once: the second time.
 */
async function run(): Promise<string> {
  const ch = await channelWithPosts();
  const b0 = ch.beginStep(0, T0);
  ch.setImpressions(b0, new Map([[0, { ids: [2, 1], sources: ['recsys', 'home'] as const, via: [null, null] }]]));
  b0.llmCalls.push({ agentId: 0, cohort: 'c', model: 'm', endpoint: 'http://127.0.0.1:1/v1', latencyMs: 120, promptTokens: 900, completionTokens: 40, attempts: 1, outcome: 'ok', error: null, requestKey: 'h0', response: '{"tool_calls":[{"name":"like"}]}' });
  ch.apply(b0, 0, { action: 'like', args: { post_id: 1 } });
  ch.apply(b0, 0, { action: 'create_post', args: { text: 'mine <b>bold</b>' } });
  ch.apply(b0, 3, { action: 'follow', args: { user_id: 0 } });
  await ch.commitStep(b0, 2);
  const b1 = ch.beginStep(1, T0 + HOUR);
  ch.configure({ search: 'substring' });
  ch.apply(b1, 0, { action: 'search_posts', args: { query: 'mine' } });
  ch.apply(b1, 0, { action: 'follow', args: { user_id: 2 } });
  ch.apply(b1, 0, { action: 'follow', args: { user_id: 2 } });
  await ch.commitStep(b1, 1);
  ch.close();
  return ch.db.path;
}

describe("an account's timeline", () => {
  it('when an account is looked up by id or username then each step shows what it saw, did, wrote, who followed it and its model', async () => {
    const path = await run();
    const t = await withSimDb(path, (db) => userTimeline(db, '0'));
    expect(t.user).toMatchObject({ user_id: 0, username: 'u0' });
    expect(t.steps.map((s) => s.step)).toEqual([0, 1]);
    const [s0, s1] = t.steps;
    expect(s0!.sim_time).toBe('2024-06-17T00:00:00Z');
    expect(s0!.shown.map((p) => [p.rank, p.source, p.post_id, p.author])).toEqual([
      [0, 'recsys', 2, 'u2'],
      [1, 'home', 1, 'u1'],
    ]);
    expect(s0!.actions.map((a) => [a.action, a.ok])).toEqual([
      ['like', true],
      ['create_post', true],
    ]);
    expect(s0!.wrote).toEqual([{ post_id: 3, kind: 'original', parent_id: null, text: 'mine <b>bold</b>' }]);
    expect(s0!.followed_by).toEqual(['u3']);
    expect(s0!.llm).toEqual([{ outcome: 'ok', attempts: 1, latency_ms: 120, prompt_tokens: 900, completion_tokens: 40, error: null, response: '{"tool_calls":[{"name":"like"}]}' }]);
    expect(s1!.shown.map((p) => [p.source, p.post_id])).toEqual([['search', 3]]);
    expect(s1!.actions.map((a) => [a.action, a.ok, a.error])).toEqual([
      ['search_posts', true, null],
      ['follow', true, null],
      ['follow', false, 'already following user 2'],
    ]);
    // by username, and a step range
    const only1 = await withSimDb(path, (db) => userTimeline(db, '@u0', parseStepRange('1..')));
    expect(only1.steps.map((s) => s.step)).toEqual([1]);
  });

  it('when the account or the range is wrong then the error says what was expected', async () => {
    const path = await run();
    await expect(withSimDb(path, (db) => userTimeline(db, 'u9'))).rejects.toThrow(/no user "u9" in this run .*nearest: u0, u1, u2/);
    expect(parseStepRange('3..7')).toEqual({ from: 3, to: 7 });
    expect(parseStepRange('5')).toEqual({ from: 5, to: 5 });
    expect(parseStepRange('..2')).toEqual({ from: 0, to: 2 });
    expect(() => parseStepRange('7..3')).toThrow(/ends before it starts/);
    expect(() => parseStepRange('a..b')).toThrow(/must look like/);
  });

  it('when written as text or HTML then the steps read in order and the text is escaped in the page', async () => {
    const t = await withSimDb(await run(), (db) => userTimeline(db, '0'));
    const text = formatTimeline(t);
    expect(text.indexOf('step 0')).toBeLessThan(text.indexOf('step 1'));
    expect(text).toContain('home #1  [post 1] @u1');
    expect(text).toContain('FAIL follow {"user_id":2} — already following user 2');
    expect(text).toContain('followed by: @u3');
    const html = timelineHtml(t);
    expect(html).toContain('mine &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>bold</b>');
  });
});
