/**
 * `on_bad_row: skip` is never silent: a run on a dataset with bad rows says how many were left
 * out and the first five reasons when it starts, and keeps them in run.json, events.jsonl,
 * `inspect` and the report's overview.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatRunSummary } from '../../src/analysis/format.js';
import { inspectRun } from '../../src/cli/inspect.js';
import { loadExperiment } from '../../src/config/load.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { buildReport } from '../../src/report/write.js';
import { tempDir } from '../helpers/tmp.js';

const HEADER = 'user_id,screen_name,name,description,created_at,followers_count,friends_count\n';
const good = (i: number): string => `${i},user${i},User ${i},likes #tech,2020-01-01,${i},3\n`;
// Seven bad rows: followers_count is no integer.
const BAD = [3, 5, 7, 9, 11, 13, 15];
const USERS = HEADER + Array.from({ length: 20 }, (_, i) => (BAD.includes(i) ? `${i},bad${i},Bad,,2020-01-01,12x,3\n` : good(i))).join('');

function experiment(dir: string, onBadRow: 'skip' | 'fail' = 'skip'): string {
  writeFileSync(join(dir, 'users.csv'), USERS);
  const file = join(dir, 'exp.yaml');
  writeFileSync(
    file,
    `name: skipping
seed: 3
clock: { timesteps: 3, step: 1h }
dataset:
  users: { path: users.csv, columns: { id: user_id, username: screen_name, following_count: friends_count }, on_bad_row: ${onBadRow} }
  generate: { topics: [tech, music], follows_per_agent: 3 }
cohorts:
  - { name: real, count: 10, model: stat, personas: dataset, activity: 0.5 }
`,
  );
  return file;
}

/** Everything written to stderr while `f` runs. */
async function stderrOf<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    return { value: await f(), stderr: written.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('rows skipped under on_bad_row: skip', () => {
  let dir: string;
  let runDir: string;
  let stderr: string;
  let users: string;
  const reason = (i: number): string => `${users}:${i + 2}: column "followers_count": expected an integer, got "12x"`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'socialsim-skip-'));
    users = join(dir, 'users.csv');
    const out = await stderrOf(() => runExperiment(loadExperiment(experiment(dir)), { resultsRoot: join(dir, 'results'), maxSteps: 2 }));
    runDir = out.value.dir;
    stderr = out.stderr;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when the run starts then stderr says how many rows were skipped and the first five reasons', () => {
    expect(stderr).toContain(`warning: dataset: 7 bad rows skipped (users.csv 7) under on_bad_row: skip\n  ${users}: 13 users, 7 bad rows skipped\n`);
    for (const i of BAD.slice(0, 5)) expect(stderr).toContain(`    ${reason(i)}\n`);
    expect(stderr).not.toContain(reason(BAD[5]!));
    expect(stderr).toContain('  ... and 2 more\n');
  });

  it('when the run is written then run.json and events.jsonl hold the count and the first five reasons, once even after a resume', async () => {
    const table = { table: 'users', file: users, rows: 13, skipped: 7, examples: BAD.slice(0, 5).map(reason) };
    const resumed = await stderrOf(() => resumeRun(runDir));
    expect(resumed.value.info.status).toBe('completed');
    expect(resumed.stderr).not.toContain('bad rows skipped');
    const info = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { dataset_load: unknown };
    expect(info.dataset_load).toEqual([table]);
    const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; tables?: unknown });
    expect(events.filter((e) => e.type === 'dataset_loaded').map((e) => e.tables)).toEqual([[table]]);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['run_started', 'dataset_loaded']);
  });

  it('when the run is inspected then the dataset section lists the table and the reasons', async () => {
    const summary = await inspectRun(runDir);
    expect(summary.datasetLoad).toEqual([{ table: 'users', file: users, rows: 13, skipped: 7, examples: BAD.slice(0, 5).map(reason) }]);
    const text = formatRunSummary(summary);
    const section = text.slice(text.indexOf('## Dataset\n'));
    expect(section.split('\n').slice(0, 4)).toEqual(['## Dataset', expect.stringMatching(/^table +file +rows +skipped$/), expect.stringMatching(/^-/), expect.stringMatching(new RegExp(`^users +${users} +13 +7$`))]);
    expect(text).toContain(`${users}: 7 bad rows skipped (on_bad_row: skip), the first 5:\n  ${reason(3)}\n`);
  });

  it('when the report is built then its overview shows the count and the reasons', async () => {
    const report = await buildReport(runDir);
    const html = report.sections.find((s) => s.id === 'overview')!.html!;
    expect(html).toContain('<td>Dataset rows skipped</td><td>7 (users.csv 7)</td>');
    expect(html).toContain('7 bad rows skipped, the first 5:');
    for (const i of BAD.slice(0, 5)) expect(html).toContain(`<code>${reason(i).replace(/"/g, '&quot;')}</code>`);
  });

  it('when the run is quiet then nothing is printed, yet run.json records the skip', async () => {
    const quietDir = tempDir();
    const out = await stderrOf(() => runExperiment(loadExperiment(experiment(quietDir)), { resultsRoot: join(quietDir, 'results'), quiet: true }));
    expect(out.stderr).toBe('');
    expect(out.value.info.dataset_load?.[0]).toMatchObject({ table: 'users', skipped: 7 });
  });
});
