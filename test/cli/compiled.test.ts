/**
 * The compiled CLI (`npm run build`, run on install by `prepare`) is what `npx socialsim` runs:
 * from dist/ it must find package.json, the schema and node_modules, and start its worker
 * threads and sweep children from compiled JavaScript. The suite's global setup builds dist/
 * when src/ is newer, so these run the current sources.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { buildState, FROM_SOURCE_ENV } from '../../src/common/build.js';
import { packageRoot } from '../../src/common/packages.js';
import { closeFakeServersAfterEach, fake, likeTop } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = packageRoot();
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const env = { ...process.env, FORCE_COLOR: '0', [FROM_SOURCE_ENV]: '' };

/** Runs the compiled entry point itself, not bin/ (which could fall back to the sources). */
function compiled(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking the event loop (this process serves the fake endpoint). */
async function compiledAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

closeFakeServersAfterEach();

describe('the compiled CLI in dist/', () => {
  it('when dist/ is built then it is fresh, and --version prints package.json’s version from any folder', () => {
    expect(buildState(ROOT, {})).toEqual({ fresh: true });
    const r = compiled(['--version'], tempDir());
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('when it validates the shipped and a malformed experiment then it reads the schema: ok, and file:line:col with a hint', () => {
    const ok = compiled(['validate', 'experiments/quickstart.yaml']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('ok  experiments/quickstart.yaml: quickstart, 1,000 agents in 1 cohort(s), 24 steps of 1h\n');
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'name: bad\nrecsys: { knd: random }\n');
    const bad = compiled(['validate', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:2:11 recsys.knd: unknown key "knd"; did you mean "kind"?`);
  });

  it('when it runs an LLM cohort then its worker threads answer from compiled code and run.json records the version', async () => {
    const srv = await fake(likeTop);
    const dir = tempDir();
    const file = join(dir, 'llm.yaml');
    writeFileSync(
      file,
      `name: compiled-llm
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 4 } }
models:
  stat: { provider: statistical }
  local: { provider: openai-compatible, model: fake-model, endpoints: ["${srv.url}"], timeout_s: 5 }
cohorts:
  - { name: background, count: 10, model: stat, activity: 0.5 }
  - { name: llm, count: 6, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`,
    );
    const r = await compiledAsync(['run', file, '--out', dir, '-q', '--no-report']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 16 agents/);
    const runDir = join(dir, 'compiled-llm', readdirSync(join(dir, 'compiled-llm'))[0]!);
    const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { versions: Record<string, string> };
    expect(info.versions['socialsim']).toBe(VERSION);
    const calls = await withSimDb(join(runDir, 'sim.duckdb'), (db) => db.one<{ ok: number }>(`SELECT count(*)::INTEGER AS ok FROM llm_calls WHERE outcome = 'ok'`));
    expect(calls!.ok).toBe(12); // 6 agents × 2 steps, each one request
    expect(srv.requests.filter((q) => q.path.endsWith('/chat/completions'))).toHaveLength(12);
  });
});
