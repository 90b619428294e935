import { describe, expect, it } from 'vitest';
import { herdingSection } from '../../src/report/sections/herding.js';
import { buildReport } from '../../src/report/write.js';
import { runExperiment } from '../../src/engine/run.js';
import { makeFixture } from '../analysis/fixture.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';
import { renderLines } from '../helpers/vega.js';

describe('herding report section', () => {
  it('when the run had a herding experiment then three arms are drawn per measure without a vega warning, and the final table gives the differences', async () => {
    // 6 steps, window 4: posts of steps 0-1 are followed the whole 4-step horizon.
    const { dir } = await runExperiment(smallExperiment({ overrides: ['herding={until_step: 1}'] }), { resultsRoot: tempDir(), quiet: true });
    const [section] = (await buildReport(dir, { sections: [herdingSection] })).sections;
    expect(section!.error).toBeUndefined();
    expect(section!.description).toMatch(/^Posts written by agents were given, at random, a platform up-vote \(\d+ posts\), a down-vote \(\d+\) or nothing \(control, \d+\)/);
    const { messages, lines } = await renderLines(section!.spec!);
    expect(messages).toEqual([]);
    // Two panels (agents' votes, with the treatment vote) × three arms, each over ages 0-4.
    expect(lines).toEqual([5, 5, 5, 5, 5, 5]);
    const html = section!.html!;
    expect(html).toContain('<h3>Net score 4 steps after treatment</h3>');
    for (const row of ['<td>up</td>', '<td>down</td>', '<td>control</td>', '<td>up − control</td>', '<td>down − control</td>']) expect(html).toContain(row);
    expect(html).toMatch(/<td class="num">-?\d+\.\d\d \[-?\d+\.\d\d, -?\d+\.\d\d\]<\/td>/);
  });

  it('when the run had no herding experiment then the section says so and draws nothing', async () => {
    const fx = await makeFixture('full');
    try {
      const [section] = (await buildReport(fx.runDir, { sections: [herdingSection] })).sections;
      expect(section!.spec).toBeUndefined();
      expect(section!.html).toContain('This run had no herding experiment');
    } finally {
      fx.cleanup();
    }
  });
});
