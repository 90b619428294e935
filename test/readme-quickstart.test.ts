/**
 * The README's quick start is a contract: the demo run lands in the folder it names, with the
 * action count it prints, and its scripted news and misinformation posts spread.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCascades } from '../src/analysis/nrmse.js';
import { withSimDb } from '../src/analysis/open.js';
import { propagationOf } from '../src/analysis/propagation.js';
import { DEFAULT_ANALYSIS, runAnalysisSettings } from '../src/analysis/settings.js';
import { crossCuttingExposure } from '../src/analysis/exposure.js';
import { stance } from '../src/analysis/stance.js';
import { loadExperiment } from '../src/config/load.js';
import { runExperiment } from '../src/engine/run.js';
import { tempDir } from './helpers/tmp.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README’s quick start', () => {
  it('when experiments/quickstart.yaml runs then it prints the README’s counts and run folder, and the scripted posts are reposted', async () => {
    const printed = /completed: 24\/24 steps, ([\d,]+) agents, ([\d,]+) actions \((\d+) rejected\)[^\n]*\n\s*run folder: results\/quickstart\/([0-9a-f]{12})/.exec(README);
    expect(printed).not.toBeNull();
    const [, agents, actions, rejected, runId] = printed!;
    const { dir, info } = await runExperiment(loadExperiment(new URL('../experiments/quickstart.yaml', import.meta.url).pathname), { resultsRoot: tempDir(), quiet: true });
    expect(info).toMatchObject({ status: 'completed', run_id: runId, agents: Number(agents!.replace(/,/g, '')), actions: Number(actions!.replace(/,/g, '')), failed_actions: Number(rejected) });
    const finals = await withSimDb(join(dir, 'sim.duckdb'), async (db) => propagationOf(await compareCascades(db, DEFAULT_ANALYSIS)).finals);
    const scripted = finals.filter((f) => f.label === 'news' || f.label === 'misinformation');
    expect(scripted.map((f) => f.label).sort()).toEqual(['misinformation', 'news', 'news']);
    for (const f of scripted) expect(f.scale, `#${f.post_id} ${f.label}`).toBeGreaterThan(5);
    // The README says personas hold stances on climate and politics, which Public opinion and
    // Exposure read: both have rows for both topics.
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const opinion = await stance(db, runAnalysisSettings(dir));
      expect(opinion.topics.sort()).toEqual(['climate', 'politics']);
      expect(new Set(opinion.byStep.map((r) => r.topic))).toEqual(new Set(['climate', 'politics']));
      const exposure = await crossCuttingExposure(db);
      expect(new Set(exposure.map((r) => r.topic))).toEqual(new Set(['climate', 'politics']));
    });
  });
});
