/**
 * The secret canary (issue 15, cases 13 and 14): a run whose model server echoes the API key
 * back — in post texts, in tool-call arguments that spell it with JSON escapes, in plain content
 * and in an error body — leaves no trace of the key in any file of the run folder (every table
 * of sim.duckdb queried through SQL, since the file may be compressed), on stdout or on stderr.
 * The CLI runs as a child process, asynchronously, so the loopback server in this process answers.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import type { FakeReply } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, fake } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const KEY = 'canary-7f3a9c1e5b2d4086-KEY';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const experimentYaml = (endpoint: string): string => `name: canary
seed: 1
clock: { timesteps: 3, step: 1h }
dataset: { generate: { topics: [tech], interests_per_agent: 1, follows_per_agent: 3 } }
models:
  stat: { provider: statistical }
  local: { provider: openai-compatible, model: fake, endpoints: ["${endpoint}"], api_key_env: CANARY_API_KEY, max_retries: 0, timeout_s: 10 }
cohorts:
  - { name: background, count: 20, model: stat, activity: 0.5 }
  - { name: llm, count: 6, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`;

describe('secret canary', () => {
  it('when the server echoes the API key in posts, escaped tool arguments, content and errors then no file of the run, stdout or stderr holds it', async () => {
    let n = 0;
    const server = await fake((_body, req): FakeReply => {
      // The server knows the key the way a hostile one would: from the Authorization header.
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const escaped = `\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}`;
      switch (n++ % 4) {
        case 0:
          return { toolCalls: [{ name: 'create_post', arguments: { text: `my key is ${key} #tech` } }], content: `thinking about ${key}` };
        case 1:
          return { toolCalls: [{ name: 'create_post', arguments: `{"text": "escaped ${escaped} #tech"}` }] };
        case 2:
          return { status: 400, body: { error: { message: `bad key ${key}`, type: 'invalid_request_error' } } };
        default:
          return { toolCalls: [{ name: 'create_post', arguments: { text: 'a plain post #tech' } }] };
      }
    });
    const dir = tempDir();
    const file = join(dir, 'canary.yaml');
    writeFileSync(file, experimentYaml(server.url));
    const out = join(dir, 'results');
    const r = await cli(['run', file, '--out', out], { CANARY_API_KEY: KEY });
    expect(r.stderr).not.toContain('Error:');
    expect(r.code).toBe(0);
    // The key did go out (the server saw it) and came back.
    expect(server.requests.some((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(KEY);

    const runDir = join(out, 'canary', readdirSync(join(out, 'canary'))[0]!);
    const files = filesUnder(runDir);
    expect(files.map((f) => f.slice(runDir.length + 1))).toEqual(expect.arrayContaining(['run.json', 'events.jsonl', 'experiment.resolved.yaml', 'sim.duckdb', 'report.html']));
    for (const f of files) expect(readFileSync(f).includes(KEY), f).toBe(false);

    await withSimDb(join(runDir, 'sim.duckdb'), async (db) => {
      const columns = await db.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_catalog = current_database() AND (data_type IN ('VARCHAR', 'JSON') OR data_type LIKE '%[]' OR data_type LIKE 'STRUCT%' OR data_type LIKE 'MAP%')`,
      );
      expect(columns.map((x) => `${x.t}.${x.c}`)).toEqual(expect.arrayContaining(['posts.text', 'trace.args', 'llm_calls.endpoint', 'llm_prompts.messages']));
      for (const { t, c } of columns) {
        const hit = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM "${t}" WHERE CAST("${c}" AS VARCHAR) LIKE '%' || $1 || '%'`, [KEY]);
        expect(hit!.n, `${t}.${c}`).toBe(0);
      }
      // What the server sent is there, cleaned: the plain and the escaped spelling alike.
      const posts = await db.query<{ text: string }>(`SELECT text FROM posts WHERE text LIKE 'my key is %' OR text LIKE 'escaped %'`);
      expect(posts.length).toBeGreaterThan(1);
      for (const p of posts) expect(p.text).toMatch(/^(my key is|escaped) \[redacted\] #tech$/);
      const errors = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM llm_calls WHERE error LIKE '%bad key [redacted]%'`);
      expect(errors!.n).toBeGreaterThan(0);
    });
  });

  it('when an endpoint URL carries credentials then the run is refused, exit 2, and the message does not show the password', async () => {
    const dir = tempDir();
    const file = join(dir, 'canary.yaml');
    writeFileSync(file, experimentYaml(`http://user:${KEY}@127.0.0.1:9/v1`));
    const out = join(dir, 'results');
    const r = await cli(['run', file, '--out', out], { CANARY_API_KEY: 'x'.repeat(12) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models.local.endpoints[0]: must not hold a user name or password (user:password@host)');
    expect(r.stderr).toContain('api_key_env');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(() => readdirSync(out)).toThrow();
  });
});
