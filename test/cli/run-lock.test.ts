import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { acquireRunLock, liveWriter, releaseRunLock, RunLockedError } from '../../src/engine/run-lock.js';
import { alive, cli, onlyRun, runJson, stepLines, TINY_YAML } from '../helpers/crash.js';
import { cliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;

describe('run lock', () => {
  it('when run.lock names a dead process then the lock is taken over, and when it names a live one then it is refused with its PID', async () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: Number(gone.stdout), start: null }));
    expect(liveWriter(dir)).toBeNull();
    acquireRunLock(dir);
    expect(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid).toBe(process.pid);
    releaseRunLock(dir);

    const other = join(dir, 'other');
    mkdirSync(other);
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(other, 'run.lock'), JSON.stringify({ pid: live.pid, start: null }));
      expect(liveWriter(other)).toBe(live.pid);
      expect(() => acquireRunLock(other)).toThrow(RunLockedError);
      expect(() => acquireRunLock(other)).toThrow(`this run is being written by PID ${live.pid}`);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('when a run is live then resume, run --force and a sweep over it refuse naming its PID and leave its folder alone; once it is gone resume continues it', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.yaml');
    // `run` runs the base experiment, which is also the sweep's one run.
    writeFileSync(file, `${TINY_YAML}recsys: { kind: random }\nsweep:\n  matrix:\n    recsys.kind: [random]\n`);
    const root = join(dir, 'results');
    // The test hook holds the run alive (and locked) after step 1.
    const live = spawn(process.execPath, [BIN, 'run', file, '--out', root, '-q'], { env: { ...process.env, SOCIALSIM_TEST_CRASH: 'hang-after-commit:1' }, stdio: 'ignore' });
    try {
      let runDir = '';
      for (let i = 0; i < 600 && !stepLines(runDir).includes(1); i++) {
        await sleep(50);
        try {
          runDir = onlyRun(root, 'tiny');
        } catch {
          // not made yet
        }
      }
      expect(stepLines(runDir)).toEqual([0, 1]);
      const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8');

      // The resume's refusal on the binary (its exit code); the others in this process, whose PID is not the lock's.
      const resume = await cli(['resume', runDir, '-q']);
      expect(resume.code).toBe(2);
      expect(resume.stderr).toContain(`error [run.locked]: this run is being written by PID ${live.pid}`);
      const force = await cliInProcess(['run', file, '--out', root, '-q', '--force']);
      expect(force.code).toBe(2);
      expect(force.stderr).toContain(`this run is being written by PID ${live.pid}`);
      const sweep = await cliInProcess(['sweep', file, '--out', root, '-q']);
      expect(sweep.code).toBe(2);
      expect(sweep.stderr).toBe(`error [run.locked]: this run is being written by PID ${live.pid} (${runDir}); wait for it to finish, or stop it (kill ${live.pid}) and run socialsim resume ${runDir}\n`);
      expect(readFileSync(join(runDir, 'events.jsonl'), 'utf8')).toBe(events);

      live.kill('SIGKILL');
      for (let i = 0; i < 200 && alive(live.pid!); i++) await sleep(50);
      const resumed = await cliInProcess(['resume', runDir, '-q', '--no-report']);
      expect(resumed.code).toBe(0);
      expect(runJson(runDir)).toMatchObject({ status: 'completed', steps_completed: 5 });
    } finally {
      live.kill('SIGKILL');
    }
  });
});
