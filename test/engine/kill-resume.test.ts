import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { loadExperiment } from '../../src/config/load.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { SMALL_YAML } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
// Big enough that a step takes a while (about 0.2 s on the 2-core VM), so the kill, polled every 5 ms, lands inside one.
// herding on: a resumed run must treat exactly the posts the uninterrupted one did.
const OVERRIDES = ['--set', 'cohorts[0].count=1500', '--set', 'cohorts[1].count=500', '--set', 'clock.timesteps=6', '--set', 'herding={}'];

function committedSteps(runRoot: string): number {
  const exp = join(runRoot, 'small');
  if (!existsSync(exp)) return 0;
  const runs = readdirSync(exp);
  if (runs.length === 0) return 0;
  const events = join(exp, runs[0]!, 'events.jsonl');
  if (!existsSync(events)) return 0;
  return readFileSync(events, 'utf8').split('\n').filter((l) => l.includes('"type":"step"')).length;
}

/** Runs the CLI in a child process and SIGKILLs it once `afterSteps` steps are committed. */
async function runAndKill(file: string, root: string, afterSteps: number): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'run', file, '--out', root, '-q', '--no-report', ...OVERRIDES], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (committedSteps(root) >= afterSteps) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the run ended before it could be killed (code ${code})`));
    });
  });
  const exp = join(root, 'small');
  return join(exp, readdirSync(exp)[0]!);
}

describe('resume after kill -9', () => {
  it('when a run is killed at several points and resumed then its tables equal an uninterrupted run', async () => {
    const dir = tempDir();
    const file = join(dir, 'small.yaml');
    writeFileSync(file, SMALL_YAML);
    const exp = loadExperiment(file, { overrides: OVERRIDES.filter((_, i) => i % 2 === 1) });
    const straight = await runExperiment(exp, { resultsRoot: join(dir, 'straight'), quiet: true });
    const expected = await tableChecksums(join(straight.dir, 'sim.duckdb'));

    for (const killAt of [1, 4]) {
      const root = join(dir, `killed-${killAt}`);
      const runDir = await runAndKill(file, root, killAt);
      const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; steps_completed: number };
      expect(info.status).toBe('running'); // the process died without a word
      const resumed = await resumeRun(runDir, { quiet: true });
      expect(resumed.info.status).toBe('completed');
      expect(await tableChecksums(join(runDir, 'sim.duckdb'))).toEqual(expected);
    }
  }, 180_000); // three runs of 2,000 agents: a loaded 2-core machine needs more than the suite's 60 s (not a performance bound)
});
