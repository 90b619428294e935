import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { estimateRun, estimateRunFile, heapFlagsFor, processFlagsFor } from '../../src/config/capacity.js';
import { BIN, cliInProcess, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** The CLI with a 40 MiB old space (about 43 MiB of heap limit), below the estimate of the 200-agent quickstart. */
function smallHeapCli(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NODE_OPTIONS: '--max-old-space-size=40 --max-semi-space-size=1' },
    timeout: 120_000,
  });
}

describe('a run larger than Node\'s heap', () => {
  it('when the estimate needs more heap than the limit then the CLI continues in a process started with a heap that fits, and the run completes', () => {
    const out = tempDir();
    // The 40 MiB old space is below the estimate of 200 agents and 2 seed accounts
    // (60 MiB + 202 × (2.75 KiB + 12 follows × 160 B) = 63,871,232 B ≈ 60.9 MiB), so `run` must
    // restart itself, with 1.25 × that = 76.1 MiB.
    const r = smallHeapCli(['run', 'experiments/quickstart.yaml', '--set', 'cohorts[0].count=200', '--set', 'clock.timesteps=2', '--out', out, '--no-report']);
    expect(r.stderr).toMatch(/^202 agents need about 0\.06 GiB of JS heap \(Node's limit here is 0\.04 GiB\): continuing in a process started with --max-old-space-size=76 --max-semi-space-size=64 --min-semi-space-size=64$/m);
    // Printed once, by the process that ran: the first one only restarted it.
    expect(r.stderr.match(/agents need about/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 200 agents, /m);
    expect(r.status).toBe(0);
    const dir = /^run folder: (.+)$/m.exec(r.stdout)?.[1] ?? '';
    expect(existsSync(join(dir, 'sim.duckdb'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('completed');
  });

  it('when a paused run is resumed with too small a heap then resume too continues in a process with one that fits and finishes it', async () => {
    const out = tempDir();
    // Paused after its first step in this process (the default heap), then resumed by the binary.
    const first = await cliInProcess(['run', 'experiments/quickstart.yaml', '--set', 'cohorts[0].count=200', '--set', 'clock.timesteps=2', '--max-steps', '1', '--out', out, '--no-report', '-q']);
    expect(first.code).toBe(0);
    const dir = /^run folder: (.+)$/m.exec(first.stdout)?.[1] ?? '';
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('interrupted');
    const r = smallHeapCli(['resume', dir, '--no-report']);
    expect(r.stderr).toMatch(/^202 agents need about 0\.06 GiB of JS heap \(Node's limit here is 0\.04 GiB\): continuing in a process started with --max-old-space-size=76 --max-semi-space-size=64 --min-semi-space-size=64$/m);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 200 agents, /m);
    expect(r.status).toBe(0);
  });

  it('when a sweep starts a run then the heap flags come from that run\'s resolved experiment file', () => {
    // What a sweep passes to each run's process (child-runner.ts): the estimate of runs/<id>.yaml.
    const dir = tempDir();
    const file = join(dir, 'run.yaml');
    writeFileSync(file, 'name: big\ncohorts: [{ name: a, count: 1000000, model: m }]\ndataset: { generate: { follows_per_agent: 12 } }\n');
    // 60 MiB + 10^6 × (2.75 KiB + 12 × 160 B) = 62,914,560 + 4,736,000,000 B; × 1.25 = 5,998,643,200 B = 5,720.7 MiB.
    expect(estimateRunFile(file).heapBytes).toBe(4_798_914_560);
    expect(heapFlagsFor(estimateRunFile(file), { totalBytes: 24 * 2 ** 30, heapLimitBytes: 4 * 2 ** 30 })).toEqual(['--max-old-space-size=5720', '--max-semi-space-size=64', '--min-semi-space-size=64']);
    // An unreadable file estimates as empty (its run reports the problem): no flags.
    expect(heapFlagsFor(estimateRunFile(join(dir, 'missing.yaml')), { totalBytes: 24 * 2 ** 30, heapLimitBytes: 4 * 2 ** 30 })).toBeNull();
  });

  it('when a run sends LLM requests to workers through Redis then its process starts without the memory reducer and with a 256 MiB old generation, besides any heap flags', () => {
    const limits = { totalBytes: 24 * 2 ** 30, heapLimitBytes: 4 * 2 ** 30 };
    const llm = { models: { big: { provider: 'openai-compatible' }, stat: { provider: 'statistical' } }, cohorts: [{ name: 'a', count: 100, model: 'big' }] };
    // distributed.redis in the experiment, or --redis (which replaces it), with a model that is not statistical.
    expect(processFlagsFor(estimateRun({ ...llm, distributed: { redis: 'redis://10.0.0.5:6379' } }), limits)).toEqual(['--no-memory-reducer', '--initial-old-space-size=256']);
    expect(processFlagsFor(estimateRun(llm, 'redis://10.0.0.5:6379'), limits)).toEqual(['--no-memory-reducer', '--initial-old-space-size=256']);
    // No Redis, or only statistical agents (nothing goes to workers, the process never waits on them): nothing to restart for.
    expect(processFlagsFor(estimateRun(llm), limits)).toBeNull();
    expect(processFlagsFor(estimateRun({ models: { stat: { provider: 'statistical' } }, cohorts: [{ name: 'a', count: 100, model: 'stat' }] }, 'redis://10.0.0.5:6379'), limits)).toBeNull();
    // A coordinator too large for the heap gets both: 60 MiB + 10^6 × (2.75 KiB + 10 × 160 B) = 4,478,914,560 B; × 1.25 = 5,339.3 MiB.
    const big = estimateRun({ ...llm, cohorts: [{ name: 'a', count: 1_000_000, model: 'big' }] }, 'redis://10.0.0.5:6379');
    expect(processFlagsFor(big, limits)).toEqual(['--max-old-space-size=5339', '--max-semi-space-size=64', '--min-semi-space-size=64', '--no-memory-reducer', '--initial-old-space-size=256']);
    expect(heapFlagsFor(big, limits)).toEqual(['--max-old-space-size=5339', '--max-semi-space-size=64', '--min-semi-space-size=64']);
  });

  it('when validate reads an experiment larger than the heap then it notes the restart run will make', async () => {
    // 2,000,000 agents and 2 seed accounts: 60 MiB + 2,000,002 × (2.75 KiB + 12 × 160 B) = 9,534,924,032 B ≈ 8.9 GiB of JS heap.
    const r = await cliInProcess(['validate', 'experiments/quickstart.yaml', '--set', 'cohorts[0].count=2000000']);
    expect(r.stdout).toMatch(/^ok {2}experiments\/quickstart\.yaml: quickstart, 2,000,000 agents/m);
    expect(r.stderr).toMatch(/^note: experiments\/quickstart\.yaml: about 8\.9 GiB of JS heap; run starts itself again with --max-old-space-size=\d+ --max-semi-space-size=64 --min-semi-space-size=64$/m);
    expect(r.code).toBe(0);
  });
});
