import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { formatRunSummary } from '../../src/analysis/format.js';
import { summarizeRun } from '../../src/analysis/summary.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { interventionRules, withInterventionRules } from '../../src/report/intervention-rules.js';
import type { TopLevelSpec } from '../../src/report/types.js';
import { buildReport } from '../../src/report/write.js';
import { tempDir } from '../helpers/tmp.js';
import { recordingLogger } from '../helpers/vega.js';

/** Renders a spec offline and counts the items of each mark type; vega's warnings fail the test. */
async function ruleItems(spec: TopLevelSpec): Promise<number> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  type Node = { marktype?: string; role?: string; items?: Node[] };
  let rules = 0;
  const walk = (n: Node): void => {
    if (n.marktype === 'rule' && n.role === 'mark') rules += n.items?.length ?? 0;
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  expect(messages).toEqual([]);
  return rules;
}

const EXPERIMENT = `
name: marked
seed: 3
clock: { timesteps: 5, step: 1h }
dataset: { generate: { topics: [politics, tech], follows_per_agent: 4 } }
models: { stat: { provider: statistical, post_prob: 0.3, like_base: 0.1 } }
cohorts: [{ name: people, count: 60, model: stat, activity: 0.6 }]
recsys: { kind: popularity, feed_size: 10 }
seeds:
  - { name: Hoaxer, kind: misinformation, followed_by: 0.2, posts: [{ at: 0, text: "Staged! #politics" }] }
interventions:
  - { at: 2, action: label_post, post: { seed: Hoaxer, at: 0 }, label: disputed }
  - { at: 3, action: set_recsys, recsys: { kind: random } }
  - { at: 3, action: delete_post, post_id: 999999 }
`;

type Layered = { layer?: { mark: { type: string } | string; data?: { values: { step: number; sim_time: string | null; intervention: string }[] } }[] };

describe('interventions on charts and in inspect', () => {
  it('when interventions are listed then each step gets one rule naming what applied there, failures left out', () => {
    const rules = interventionRules([
      { step: 3, sim_time: 't3', action: 'set_recsys', target: null, ok: true, error: null },
      { step: 2, sim_time: 't2', action: 'label_post', target: '7', ok: true, error: null },
      { step: 3, sim_time: 't3', action: 'suspend_account', target: '4', ok: true, error: null },
      { step: 5, sim_time: 't5', action: 'delete_post', target: '99', ok: false, error: 'no post 99' },
    ]);
    expect(rules).toEqual([
      { step: 2, sim_time: 't2', what: 'label_post 7' },
      { step: 3, sim_time: 't3', what: 'set_recsys, suspend_account 4' },
    ]);
  });

  it('when a chart is not drawn over steps, or there is nothing to mark, then it is left as it was', () => {
    const minutes = { mark: 'line', encoding: { x: { field: 'minute', type: 'quantitative' } } } as unknown as TopLevelSpec;
    expect(withInterventionRules(minutes, [{ step: 1, sim_time: null, what: 'x' }])).toBe(minutes);
    const steps = { mark: 'line', encoding: { x: { field: 'step', type: 'quantitative' } } } as unknown as TopLevelSpec;
    expect(withInterventionRules(steps, [])).toBe(steps);
  });

  it('when a run had interventions then every per-step chart of its report carries their rules, and inspect lists them with the one that failed', async () => {
    const { dir } = await runExperiment(parseExperiment(EXPERIMENT, join(tempDir(), 'x.yaml')), { resultsRoot: tempDir(), quiet: true });
    const { sections } = await buildReport(dir);
    const perStep = ['actions-per-step', 'active-agents', 'posts-likes'];
    for (const id of perStep) {
      const spec = sections.find((s) => s.id === id)!.spec as unknown as Layered;
      const rule = spec.layer?.find((l) => (typeof l.mark === 'string' ? l.mark : l.mark.type) === 'rule');
      // The run starts at the schema's default clock start; steps are an hour long.
      expect(rule?.data?.values, id).toEqual([
        { step: 2, sim_time: expect.stringMatching(/T02:00:00/) as unknown as string, intervention: expect.stringMatching(/^label_post \d+$/) as unknown as string },
        { step: 3, sim_time: expect.stringMatching(/T03:00:00/) as unknown as string, intervention: 'set_recsys' },
      ]);
      expect(await ruleItems(spec as unknown as TopLevelSpec), id).toBe(2);
    }
    const text = formatRunSummary({ ...(await summarizeRun(join(dir, 'sim.duckdb'))) });
    const part = text.slice(text.indexOf('Interventions'));
    expect(part).toMatch(/2\s+label_post\s+\d+\s+yes/);
    expect(part).toMatch(/3\s+set_recsys\s+yes/);
    expect(part).toMatch(/3\s+delete_post\s+999999\s+no: /);
  });
});
