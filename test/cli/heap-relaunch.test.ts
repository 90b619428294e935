import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('a run larger than Node\'s heap', () => {
  it('when the estimate needs more heap than the limit then the CLI continues in a process started with a heap that fits, and the run completes', () => {
    const out = tempDir();
    // A 40 MiB old space (about 43 MiB of heap limit) is below the estimate of 200 agents and 2
    // seed accounts (60 MiB + 202 × (2.75 KiB + 12 follows × 160 B) = 63,871,232 B ≈ 60.9 MiB), so
    // `run` must restart itself, with 1.25 × that = 76.1 MiB.
    const r = spawnSync(
      process.execPath,
      [BIN, 'run', 'experiments/quickstart.yaml', '--set', 'cohorts[0].count=200', '--set', 'clock.timesteps=2', '--out', out, '--no-report'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NODE_OPTIONS: '--max-old-space-size=40 --max-semi-space-size=1' }, timeout: 120_000 },
    );
    expect(r.stderr).toMatch(/^202 agents need about 0\.06 GiB of JS heap \(Node's limit here is 0\.04 GiB\): continuing in a process started with --max-old-space-size=76 --max-semi-space-size=64$/m);
    // Printed once, by the process that ran: the first one only restarted it.
    expect(r.stderr.match(/agents need about/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^completed: 2\/2 steps, 200 agents, /m);
    expect(r.status).toBe(0);
    const dir = /^run folder: (.+)$/m.exec(r.stdout)?.[1] ?? '';
    expect(existsSync(join(dir, 'sim.duckdb'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('completed');
  });
});
