import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { createProgress, stepLine } from '../../src/engine/progress.js';
import { runExperiment } from '../../src/engine/run.js';
import type { StepReport } from '../../src/engine/simulate.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

function report(step: number): StepReport {
  return {
    step,
    simTime: `2024-06-17T${String(step).padStart(2, '0')}:00:00.000Z`,
    activeAgents: 10,
    actions: 30,
    failed: 1,
    llmRequests: 0,
    llmFailures: 0,
    listWriteMs: 0,
    llmUsage: new Map(),
    byAction: { like: 29 },
    failedByAction: { follow: 1 },
    llm: [],
    wallMs: 10,
    phases: { snapshot: 0, recsys: 0, decide: 0, apply: 0, commit: 0 },
  };
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('progress output and step numbers', () => {
  it('when a note comes between steps then it is its own line, over the bar on a terminal, and nothing when quiet', () => {
    const lines = sink();
    const plain = createProgress(2, 0, { stream: lines.stream, tty: false });
    plain.step(report(0));
    plain.note('endpoint down: model "m" http://127.0.0.1:1/v1 stopped answering (step 1)');
    expect(lines.text().split('\n')[1]).toBe('endpoint down: model "m" http://127.0.0.1:1/v1 stopped answering (step 1)');
    const term = sink();
    const bar = createProgress(2, 0, { stream: term.stream, tty: true });
    bar.note('endpoint back');
    bar.stop();
    expect(term.text()).toContain('\r\x1b[Kendpoint back\n');
    const quiet = sink();
    createProgress(2, 0, { stream: quiet.stream, quiet: true }).note('endpoint back');
    expect(quiet.text()).toBe('');
  });

  it('when a step finishes then its line names the 0-based step, as the database does, and how many steps are done', () => {
    expect(stepLine(report(0), 24)).toMatch(/^step 0 \(1\/24 done\) 2024-06-17T00:00:00\.000Z active=10 actions=30 failed=1 /);
    expect(stepLine(report(23), 24)).toMatch(/^step 23 \(24\/24 done\) /);
    const out = sink();
    const progress = createProgress(2, 0, { stream: out.stream, tty: false });
    progress.step(report(0));
    progress.step(report(1));
    progress.stop();
    expect(out.text().split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(' 2024')))).toEqual(['step 0 (1/2 done)', 'step 1 (2/2 done)']);
  });

  it('when the progress is a terminal bar then it counts steps done and names the 0-based step just finished', () => {
    const out = sink();
    const progress = createProgress(24, 0, { stream: out.stream, tty: true });
    progress.step(report(0));
    progress.stop();
    expect(out.text()).toMatch(/steps done \S+ 1\/24 \| step 0 \(2024-06-17T00:00:00\.000Z\) \| 30 actions/);
  });

  it('when a run prints its progress then the step numbers are those of the steps table and events.jsonl', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let dir: string;
    try {
      ({ dir } = await runExperiment(smallExperiment({ overrides: ['clock.timesteps=3', 'cohorts[0].count=20', 'cohorts[1].count=10'] }), { resultsRoot: tempDir() }));
    } finally {
      spy.mockRestore();
    }
    const printed = written
      .join('')
      .split('\n')
      .map((l) => /^step (\d+) \((\d+)\/3 done\)/.exec(l))
      .flatMap((m) => (m ? [[Number(m[1]), Number(m[2])]] : []));
    expect(printed).toEqual([[0, 1], [1, 2], [2, 3]]);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number });
    expect(events.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([0, 1, 2]);
    const steps = await withSimDb(join(dir, 'sim.duckdb'), (db) => db.query<{ step: number }>('SELECT step::INTEGER AS step FROM steps ORDER BY step'));
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2]);
  });
});
