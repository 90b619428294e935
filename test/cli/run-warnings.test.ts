import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import { tempDir } from '../helpers/tmp.js';

describe('socialsim run and rounded durations', () => {
  it('when a duration is not a whole number of steps then run prints the warning in the file:line:col form and runs with the rounded value', async () => {
    const dir = tempDir();
    const file = join(dir, 'exp.yaml');
    writeFileSync(file, 'name: warn\nclock: { timesteps: 1, step: 1h }\ncohorts: [{ name: a, count: 2, model: stat }]\nrecsys: { window: 90m }\n');
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const out = await runCommand(file, { out: join(dir, 'results'), set: [], report: false });
      expect(out.info.status).toBe('completed');
    } finally {
      spy.mockRestore();
    }
    expect(written).toContain(`warning: ${file}:4:19 recsys.window: 90m is 1.5 steps of 1h; rounded up to 2 steps (2h), so the whole span is covered\n`);
  });

  it('when the file has a sweep: block then run warns that it runs the base experiment once and points to socialsim sweep', async () => {
    const dir = tempDir();
    const file = join(dir, 'family.yaml');
    writeFileSync(
      file,
      'name: family\nseed: 4\nclock: { timesteps: 1, step: 1h }\ncohorts: [{ name: a, count: 2, model: stat }]\nrecsys: { kind: popularity }\n' +
        'sweep:\n  matrix:\n    recsys.kind: [random, popularity]\n    cohorts[0].count: [2, 3]\n  seeds: [1, 2]\n',
    );
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const out = await runCommand(file, { out: join(dir, 'results'), set: [], report: false });
      expect(out.info).toMatchObject({ status: 'completed', seed: 4, agents: 2 });
    } finally {
      spy.mockRestore();
    }
    expect(written).toContain(
      `warning: ${file} has a sweep: block (over recsys.kind, cohorts[0].count, seeds); \`run\` ignores it and runs the base experiment once ` +
        `(recsys.kind=popularity cohorts[0].count=2 seed=4). To run the sweep: socialsim sweep ${file}\n`,
    );
  });
});
