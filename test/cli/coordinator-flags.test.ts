/**
 * `socialsim run --redis` with an LLM cohort is a coordinator: it continues in a process started
 * with `--no-memory-reducer --initial-old-space-size=256` (src/config/capacity.ts,
 * COORDINATOR_FLAGS), without a word about it.
 * Seen from outside, as a user would: the processes' command lines in /proc while the run waits
 * on workers (none here), from a real redis-server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { tempDir } from '../helpers/tmp.js';

let redis: RedisServer | undefined;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.close();
});

/** Pids and argument lists of this machine's node processes whose command line holds `marker`. */
function processesWith(marker: string): { pid: number; args: string[] }[] {
  const out: { pid: number; args: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args.includes(marker)) out.push({ pid: Number(entry), args });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a coordinator\'s process', () => {
  it('when run sends LLM requests through Redis then it continues in a process started with the coordinator\'s V8 flags, and says nothing of it', async () => {
    const dir = tempDir();
    const file = join(dir, 'coordinator.yaml');
    // No worker takes its jobs and nothing listens at the endpoint: the run waits at step 0.
    writeFileSync(
      file,
      `name: coordinator
seed: 1
clock: { timesteps: 2, step: 1h }
dataset: { generate: { follows_per_agent: 4 } }
models:
  local: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:9/v1"] }
cohorts: [{ name: llm, count: 4, model: local }]
`,
    );
    const out = join(dir, 'out');
    const parent = spawn(process.execPath, [BIN, 'run', file, '--redis', redis!.url, '--out', out, '--no-preflight', '--no-report'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stderr = '';
    parent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
    let first: { pid: number; args: string[] } | undefined;
    let second: { pid: number; args: string[] } | undefined;
    try {
      // The two processes of the run, told apart by their command lines (both name `out`). A
      // child just forked shows its parent's command line until it execs: looked for until it
      // shows one of its own.
      for (let i = 0; i < 200 && !(first && second); i++) {
        await sleep(100);
        const running = processesWith(out);
        first = running.find((p) => p.pid === parent.pid);
        second = running.find((p) => p.pid !== parent.pid && p.args.join('\0') !== first?.args.join('\0'));
      }
      expect(first, 'the process started').toBeDefined();
      expect(second, 'a second process, started by the first').toBeDefined();
      expect(first!.args).not.toContain('--no-memory-reducer');
      expect(second!.args).toContain('--no-memory-reducer');
      expect(second!.args).toContain('--initial-old-space-size=256');
      expect(first!.args).not.toContain('--initial-old-space-size=256');
      expect(second!.args.slice(second!.args.indexOf(BIN))).toEqual([BIN, 'run', file, '--redis', redis!.url, '--out', out, '--no-preflight', '--no-report']);
    } finally {
      // TERM to the first is passed on to the second (src/cli/heap.ts); KILL both if that hangs.
      parent.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!done) for (const p of processesWith(out)) process.kill(p.pid, 'SIGKILL');
      await exited;
    }
    // The heap's restart says so before it starts the second process; this one does not.
    expect(stderr).not.toMatch(/agents need about|memory reducer|continuing in a process/);
  });
});
