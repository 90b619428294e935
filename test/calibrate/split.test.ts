import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { pairedCascades, splitCascades, SplitError } from '../../src/calibrate/split.js';
import { tempDir } from '../helpers/tmp.js';

const OASIS = join(import.meta.dirname, '../../experiments/oasis-format.yaml');
const IDS = Array.from({ length: 20 }, (_, i) => `c${i}`);

describe('the held-out split', () => {
  it('when split twice, or from another order, then the sides are the same, disjoint and cover every cascade', () => {
    const a = splitCascades(IDS, 0.3, 11);
    const b = splitCascades([...IDS].reverse(), 0.3, 11);
    expect(new Set(b.train)).toEqual(new Set(a.train));
    expect(new Set(b.heldout)).toEqual(new Set(a.heldout));
    expect(a.heldout).toHaveLength(6);
    expect(a.train.filter((id) => a.heldout.includes(id))).toEqual([]);
    expect([...a.train, ...a.heldout].sort()).toEqual([...IDS].sort());
    // Each side keeps the given order.
    expect(a.train).toEqual(IDS.filter((id) => a.train.includes(id)));
  });

  it('when the seed changes then another split comes out', () => {
    expect(splitCascades(IDS, 0.3, 12).heldout).not.toEqual(splitCascades(IDS, 0.3, 11).heldout);
  });

  it('when the share rounds to none or all then one cascade stays on each side', () => {
    expect(splitCascades(['a', 'b'], 0.1, 1).heldout).toHaveLength(1);
    expect(splitCascades(['a', 'b', 'c'], 0.9, 1).train).toHaveLength(1);
  });

  it('when fewer than two cascades are paired then the split is refused with what to do', () => {
    expect(() => splitCascades(['a'], 0.3, 1)).toThrow(SplitError);
    expect(() => splitCascades([], 0.3, 1)).toThrow(/at least 2 real cascades paired with the run's opening posts .* found 0; give each cascade a source_post/);
    expect(() => splitCascades(['a', 'b'], 1, 1)).toThrow(/--holdout must be a share between 0 and 1/);
  });
});

describe('paired cascades', () => {
  it('when the OASIS sample is read then its eight cascades pair with the opening posts they name, and one naming no opening post does not', async () => {
    const dir = tempDir();
    const extra = join(dir, 'cascades.csv');
    writeFileSync(
      extra,
      'cascade,user,parent,delay,source_post\nwater_rumour,1300000000000000000,,0,1300000000000000000#0\nghost,1,,0,1#0\nghost,2,1,60,1#0\nby_id,3,,0,nobody#7\n',
    );
    const exp = loadExperiment(OASIS);
    expect((await pairedCascades(exp)).paired).toEqual(['water_rumour', 'towers_rumour', 'stadium_rumour', 'bank_rumour', 'heatwave_rumour', 'airport_rumour', 'singer_rumour', 'lemon_rumour']);
    const other = await pairedCascades(loadExperiment(OASIS, { overrides: [`dataset.cascades=${JSON.stringify({ path: extra })}`] }));
    expect(other).toEqual({ paired: ['water_rumour'], unpaired: [{ cascade_id: 'ghost', source_post: '1#0' }, { cascade_id: 'by_id', source_post: 'nobody#7' }] });
  });
});
