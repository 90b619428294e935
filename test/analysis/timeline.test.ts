import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { formatTimeline, parseStepRange, PROMPT_NOT_RECORDED, timelineHtml, userTimeline } from '../../src/analysis/timeline.js';
import { ChannelDb } from '../../src/channel/db.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeReply } from '../../src/llm/fake-server.js';
import { channelWithPosts, HOUR, T0 } from '../channel/helpers.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

const LONG = `a long feed ${'x'.repeat(400)} END`;
/** The first request of user 0 at step 0 and its repair turn: system, user, the assistant's bad call, the tool's error, the user's retry. */
const PROMPT0 = [
  { role: 'system', content: 'You are User 0 (@u0) <script>' },
  { role: 'user', content: LONG },
];
const REPAIR0 = [
  ...PROMPT0,
  { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'like', arguments: '{"post_id":' } }] },
  { role: 'tool', tool_call_id: 'c1', content: 'error: bad JSON' },
  { role: 'user', content: 'Some tool calls were invalid.' },
];

/**
 * Users 0..3 (0 follows 1); posts 1 (by 1) and 2 (by 2). Step 0: user 0 is shown [2, 1] from
 * its feed, asks its model (answered), likes 1 and writes post 3; user 3 follows user 0. Step 1:
 * user 0 searches (shown 3 by search) and its follow of 2 fails once: the second time.
 */
async function run(): Promise<string> {
  const ch = await channelWithPosts();
  const b0 = ch.beginStep(0, T0);
  ch.setImpressions(b0, new Map([[0, { ids: [2, 1], sources: ['recsys', 'home'] as const, via: [null, null] }]]));
  b0.llmCalls.push({ agentId: 0, cohort: 'c', model: 'm', endpoint: 'http://127.0.0.1:1/v1', latencyMs: 120, promptTokens: 900, completionTokens: 40, attempts: 1, outcome: 'ok', error: null, requestKey: 'h0', response: '{"tool_calls":[{"name":"like"}]}', messages: JSON.stringify(PROMPT0) });
  // The repair turn got no answer: its prompt is recorded all the same.
  b0.llmCalls.push({ agentId: 0, cohort: 'c', model: 'm', endpoint: 'http://127.0.0.1:1/v1', latencyMs: 10_000, promptTokens: 0, completionTokens: 0, attempts: 3, outcome: 'timeout', error: 'timed out', requestKey: 'h1', messages: JSON.stringify(REPAIR0) });
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
  await ch.close();
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
    expect(s0!.llm).toEqual([
      { outcome: 'ok', attempts: 1, latency_ms: 120, prompt_tokens: 900, completion_tokens: 40, error: null, response: '{"tool_calls":[{"name":"like"}]}', messages: PROMPT0 },
      { outcome: 'timeout', attempts: 3, latency_ms: 10_000, prompt_tokens: 0, completion_tokens: 0, error: 'timed out', response: null, messages: REPAIR0 },
    ]);
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
    // The prompt role by role, each message clipped to a line; the repair turn's tool call by name.
    expect(text).toContain('      system: You are User 0 (@u0) <script>\n      user: a long feed xxx');
    expect(text).not.toContain('END');
    expect(text).toContain('      assistant: like({"post_id":)\n      tool: error: bad JSON\n      user: Some tool calls were invalid.');
    expect(text.indexOf('system: You are')).toBeLessThan(text.indexOf('answer: {"tool_calls"'));
    // JSON: the whole prompt.
    expect(JSON.parse(JSON.stringify(t)).steps[0].llm[0].messages[1].content).toBe(LONG);
    const html = timelineHtml(t);
    expect(html).toContain('mine &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>bold</b>');
    // HTML: the whole prompt, escaped, folded in <details>.
    expect(html).toContain('<details><summary>prompt (2 messages)</summary><h4>system</h4><pre>You are User 0 (@u0) &lt;script&gt;</pre><h4>user</h4><pre>a long feed');
    expect(html).toContain(' END</pre></details>');
    expect(html).toContain('<summary>prompt (5 messages)</summary>');
    expect(html).not.toContain('<script>');
  });

  it('when the run was made before prompts were recorded then each request says its prompt was not recorded', async () => {
    const path = await run();
    // An older file: no llm_prompts table at all (the timeline opens it read-only, nothing adds it).
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run('DROP TABLE llm_prompts');
    conn.closeSync();
    instance.closeSync();
    const t = await withSimDb(path, (db) => userTimeline(db, '0'));
    expect(t.steps[0]!.llm.map((c) => [c.outcome, c.response !== null, c.messages])).toEqual([
      ['ok', true, null],
      ['timeout', false, null],
    ]);
    expect(formatTimeline(t)).toContain(`      ${PROMPT_NOT_RECORDED}\n      answer: {"tool_calls"`);
    expect(timelineHtml(t)).toContain(PROMPT_NOT_RECORDED);
    // Opened for writing (a resume), the file gains the table, empty: its requests still have no prompt.
    await (await ChannelDb.open(path)).close();
    const again = await withSimDb(path, async (db) => [await db.one('SELECT count(*)::INTEGER AS n FROM llm_prompts'), await userTimeline(db, '0')] as const);
    expect(again[0]).toEqual({ n: 0 });
    expect(again[1].steps[0]!.llm.map((c) => c.messages)).toEqual([null, null]);
  });

  it('when an LLM agent ran against a model server then its timeline shows each prompt as sent, failed requests too', async () => {
    const server = await fake((body, req): FakeReply | Promise<FakeReply> => {
      // Agent 41 (usernames end in _<id>) is refused at every step; the others like their top post.
      const system = String((body.messages as { content: string }[])[0]!.content);
      return /_41\)/.test(system) ? { status: 400, body: { error: { message: 'refused', type: 'invalid_request_error' } } } : likeTop(body, req);
    });
    const { dir } = await runExperiment(experiment(localModel([server.url])), { resultsRoot: tempDir(), quiet: true });
    const sent = server.requests.map((r) => JSON.stringify(r.body!.messages));
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      // One prompt per distinct request, failed ones included, each exactly what the server got.
      const prompts = await db.query<{ messages: string }>(`SELECT messages::VARCHAR AS messages FROM llm_prompts`);
      expect(await db.one(`SELECT count(*)::INTEGER AS calls, count(DISTINCT request_hash)::INTEGER AS hashes FROM llm_calls`)).toEqual({ calls: 60, hashes: 60 });
      expect(prompts).toHaveLength(60);
      expect(prompts.map((p) => p.messages).sort()).toEqual([...new Set(sent)].sort());
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM llm_calls c ANTI JOIN llm_prompts q USING (request_hash)`)).toEqual({ n: 0 });

      const ok = await userTimeline(db, '40');
      expect(ok.steps.map((s) => s.step)).toEqual([0, 1, 2]);
      for (const s of ok.steps) {
        const [call] = s.llm;
        expect(call!.outcome).toBe('ok');
        expect(call!.messages!.map((m) => m.role)).toEqual(['system', 'user']);
        expect(call!.messages![0]!.content).toContain(`(@${ok.user.username})`);
        // What it was shown is what the prompt listed.
        for (const p of s.shown.filter((x) => x.source === 'recsys')) expect(call!.messages![1]!.content).toContain(`[post ${p.post_id}] @${p.author}`);
      }
      const refused = await userTimeline(db, '41');
      for (const s of refused.steps) {
        expect(s.llm.map((c) => [c.outcome, c.response])).toEqual([['client_error', null]]);
        expect(s.llm[0]!.messages![0]!.content).toContain(`(@${refused.user.username})`);
      }
      expect(formatTimeline(refused)).toMatch(/client_error, 1 attempt\(s\), \d+ ms, 0\+0 tokens: .*\n {6}system: You are /);
    });
  });
});
