/**
 * Shortening a run (`--set clock.timesteps=5`) leaves scripted events past its end: they are
 * warnings, located at their line, and the run goes on without them.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runCommand } from '../../src/cli/run.js';
import { validateExperiments } from '../../src/cli/validate.js';
import { ConfigError, formatIssue, parseExperimentWithWarnings } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

const QUICKSTART = fileURLToPath(new URL('../../experiments/quickstart.yaml', import.meta.url));
const LATE_NEWS = `${QUICKSTART}:51:15 seeds[0].posts[1].at: step 9 is past the run's last step (clock.timesteps 5: steps 0..4); this post will not be made`;
const LATE_HOAX = `${QUICKSTART}:57:15 seeds[1].posts[0].at: step 6 is past the run's last step (clock.timesteps 5: steps 0..4); this post will not be made`;

const SCRIPTED = `name: s
clock: { timesteps: 4 }
models:
  stat: { provider: statistical }
  m: { provider: openai-compatible, model: q, ports: [8000] }
cohorts: [{ name: a, count: 2, model: stat }, { name: llm, count: 1, model: m }]
seeds:
  - { name: Hoaxer, posts: [{ at: 1, text: early }, { at: 7, text: late }] }
surveys:
  - { name: b, at: [2, 4], question: q, cohorts: [llm] }
interventions:
  - { at: 8, action: delete_post, post: { seed: Hoaxer, at: 7 } }
  - { at: 3, action: suspend_account, account: Hoaxer }
`;

describe('scripted events past the last step', () => {
  it('when clock.timesteps is cut below the quickstart’s scripted posts then validate accepts it and warns for each post', () => {
    const summary = validateExperiments([QUICKSTART], ['clock.timesteps=5']);
    expect(summary).toMatchObject({ valid: 1, invalid: 0 });
    expect(summary.lines).toEqual([`ok  ${QUICKSTART}: quickstart, 1,000 agents in 1 cohort(s), 5 steps of 1h`, `warning: ${LATE_NEWS}`, `warning: ${LATE_HOAX}`]);
  });

  it('when seed posts, survey rounds and interventions fall past the last step then each is a warning at its line', () => {
    const { experiment, warnings } = parseExperimentWithWarnings(SCRIPTED, 's.yaml');
    expect(experiment.interventions).toHaveLength(2);
    expect(warnings.map(formatIssue)).toEqual([
      "s.yaml:8:59 seeds[0].posts[1].at: step 7 is past the run's last step (clock.timesteps 4: steps 0..3); this post will not be made",
      "s.yaml:10:24 surveys[0].at[1]: step 4 is past the run's last step (clock.timesteps 4: steps 0..3); this survey round will not be asked",
      "s.yaml:12:11 interventions[0].at: step 8 is past the run's last step (clock.timesteps 4: steps 0..3); this intervention will not be carried out",
    ]);
  });

  it('when a herding window outlasts the run then it is a warning, but a window starting after the run is still an error', () => {
    const herding = (h: string): string => `name: h\nclock: { timesteps: 5 }\ncohorts: [{ name: a, count: 2, model: stat }]\nherding: ${h}\n`;
    expect(parseExperimentWithWarnings(herding('{ until_step: 9 }'), 'h.yaml').warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "herding.until_step: step 9 is past the run's last step (clock.timesteps 5: steps 0..4); posts are enrolled until the run ends",
    ]);
    expect(() => parseExperimentWithWarnings(herding('{ from_step: 5 }'), 'h.yaml')).toThrow(ConfigError);
  });

  it('when the quickstart runs with --set clock.timesteps=5 then run prints the warnings, completes 5 steps and makes only the posts inside them', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let result: Awaited<ReturnType<typeof runCommand>>;
    try {
      result = await runCommand(QUICKSTART, { out: tempDir(), set: ['clock.timesteps=5', 'cohorts[0].count=60'], report: false });
    } finally {
      spy.mockRestore();
    }
    expect(written).toContain(`warning: ${LATE_NEWS}\n`);
    expect(written).toContain(`warning: ${LATE_HOAX}\n`);
    expect(result.info).toMatchObject({ status: 'completed', steps_completed: 5, timesteps: 5 });
    const scripted = await withSimDb(join(result.dir, 'sim.duckdb'), (db) =>
      db.query<{ step: number; label: string }>(`SELECT p.created_step::INTEGER AS step, p.label FROM posts p JOIN users u ON u.user_id = p.author_id WHERE u.kind = 'seed' ORDER BY step`),
    );
    expect(scripted).toEqual([{ step: 2, label: 'news' }]);
  });
});
