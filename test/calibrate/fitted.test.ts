import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseExperiment } from '../../src/config/load.js';
import { fittedYaml, fragmentOf, mergeFragment, rawExperiment } from '../../src/calibrate/fitted.js';

const YAML = `
name: fit
models:
  stat: { provider: statistical, post_prob: 0.2 }
cohorts:
  - { name: a, count: 10, model: stat, activity: 0.3 }
  - { name: b, count: 5, model: stat }
`;

describe('fitted.yaml', () => {
  it('when paths are mappings then the fragment nests them; through a list then it carries the whole list with the value set', () => {
    const raw = rawExperiment(YAML, []);
    const fragment = fragmentOf(raw, ['models.stat.repost_base=0.31', 'models.stat.like_base=0.05', 'cohorts[1].activity=0.12']);
    expect(fragment).toEqual({
      models: { stat: { repost_base: 0.31, like_base: 0.05 } },
      cohorts: [
        { name: 'a', count: 10, model: 'stat', activity: 0.3 },
        { name: 'b', count: 5, model: 'stat', activity: 0.12 },
      ],
    });
    expect(raw['cohorts']).toEqual([{ name: 'a', count: 10, model: 'stat', activity: 0.3 }, { name: 'b', count: 5, model: 'stat' }]);
  });

  it('when merged into the experiment then mappings keep their other keys, lists are replaced, and the result validates with the fitted values', () => {
    const assignments = ['models.stat.repost_base=0.31', 'cohorts[0].count=12'];
    const text = fittedYaml(fragmentOf(rawExperiment(YAML, []), assignments), assignments, ['Fitted by a test.']);
    expect(text.split('\n').slice(0, 3)).toEqual(['# Fitted by a test.', '# Merge into the experiment (mappings key by key; lists are given whole), or pass as overrides:', '#   --set models.stat.repost_base=0.31 --set cohorts[0].count=12']);
    const merged = mergeFragment(rawExperiment(YAML, []), parse(text) as Record<string, unknown>);
    const exp = parseExperiment(stringify(merged), 'fit.yaml');
    expect(exp.models['stat']).toMatchObject({ post_prob: 0.2, repost_base: 0.31 });
    expect(exp.cohorts.map((c) => c.count)).toEqual([12, 5]);
  });
});
