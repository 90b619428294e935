import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunInfo } from '../../src/engine/run-folder.js';
import { startFakeOpenAI } from '../../src/llm/fake-server.js';
import { cliInProcess } from '../helpers/cli.js';
import { closeFakeServersAfterEach } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

/** The CLI in a child process, awaited without blocking this one (its fake servers must answer meanwhile). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function experimentFile(dir: string, url: string): string {
  const file = join(dir, 'dead.yaml');
  writeFileSync(
    file,
    `name: dead-endpoints
seed: 3
clock: { timesteps: 2, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 2 } }
models:
  local: { provider: openai-compatible, model: fake-model, endpoints: ["${url}"], max_concurrency: 4, timeout_s: 10, max_retries: 2, backoff: { base_s: 0.01, max_s: 0.05 }, max_outage: 1s }
cohorts:
  - { name: llm, count: 5, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`,
  );
  return file;
}

describe('socialsim CLI with dead endpoints', () => {
  it('when no endpoint answers then run is refused with exit 2 and one line; without the preflight it stops resumable with exit 1, and resume finishes once the server is back', async () => {
    // A port nothing listens on: a fake server's, just closed.
    const probe = await startFakeOpenAI();
    await probe.close();
    const dir = tempDir();
    const out = join(dir, 'results');
    const file = experimentFile(dir, probe.url);

    // The refusal and the resume run in this process (the command line main.ts runs); the run that
    // stops part-way is the real binary, whose exit code and stderr a shell sees.
    const refused = await cliInProcess(['run', file, '--out', out, '-q']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error [run.endpoints_unreachable]: model "local" has no endpoint that answers (${probe.url}: connection refused (ECONNREFUSED)): ` +
        'start the servers (socialsim launch) or fix the endpoints, then run again; --no-preflight skips this check\n',
    );
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);

    const stopped = await cli(['run', file, '--out', out, '--no-preflight']);
    expect(stopped.code).toBe(1);
    const runDir = join(out, 'dead-endpoints', readdirSync(join(out, 'dead-endpoints'))[0]!);
    expect(stopped.stderr).toContain(`endpoint down: model "local" ${probe.url} stopped answering (step 0)`);
    expect(stopped.stderr).toContain(
      `error [run.endpoints_down]: model "local" has had no endpoint answering for 1s (its max_outage): ${probe.url}; the run stopped during step 0 before any step was kept; ` +
        `once the servers answer again, continue with: socialsim resume ${runDir}\n`,
    );
    expect(stopped.stderr).not.toContain('    at ');
    expect(readRunInfo(runDir)).toMatchObject({ status: 'interrupted', steps_completed: 0 });

    const server = await startFakeOpenAI({ port: probe.port });
    try {
      const resumed = await cliInProcess(['resume', runDir, '-q', '--no-report']);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/^completed: 2\/2 steps/);
      // 5 agents × 2 steps, after the one GET /models of the preflight.
      expect(server.requests.map((r) => r.method)).toEqual(['GET', ...Array(10).fill('POST')]);
    } finally {
      await server.close();
    }
  });
});
