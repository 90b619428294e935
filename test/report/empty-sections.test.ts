import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_SECTIONS } from '../../src/report/registry.js';
import { buildReport } from '../../src/report/write.js';
import { makeDb, type TestDb } from '../analysis/cascade-db.js';
import { makeFixture, type Fixture } from '../analysis/fixture.js';

/**
 * What each section of the registry says when it has nothing to show: the setting to add or the
 * command to run. null: the section always has something to show. A new section must be listed.
 */
const HINTS: Readonly<Record<string, RegExp | null>> = {
  overview: null,
  'actions-per-step': /No step was committed in this run.*socialsim resume /,
  'active-agents': /No step was committed in this run.*socialsim resume /,
  'posts-likes': /No step was committed in this run.*socialsim resume /,
  'top-posts': /clock\.timesteps.*cohorts\[\]\.activity.*like_base/,
  trends: /No agent wrote a post.*post_prob.*create_post/,
  sentiment: /No agent wrote a post.*post_prob.*create_post/,
  'hot-news': /No agent wrote a post.*post_prob.*create_post/,
  propagation: /analysis\.track\.posts.*socialsim report/,
  exposure: /set dataset\.generate\.stance_topics/,
  'real-vs-sim': /Add dataset\.cascades to compare with real cascades/,
  similarity: /No agent wrote a post.*post_prob.*create_post/,
  persona: /No agent wrote a post.*post_prob.*create_post/,
  'knowledge-graph': /No entity, #tag or user appears in two posts.*post_prob.*create_post.*dataset\.posts/,
  'llm-usage': /provider: openai-compatible/,
  surveys: /add surveys: to put a question to a sample of LLM agents/,
  herding: /add a herding: block/,
  stance: /set dataset\.generate\.stance_topics/,
};

let empty: Fixture;
let idle: TestDb;
beforeAll(async () => {
  empty = await makeFixture('empty');
  // Steps were committed, but nobody acted in them.
  idle = await makeDb([`INSERT INTO steps VALUES (0, TIMESTAMP '2024-01-01 00:00:00', 0, 0, 0), (1, TIMESTAMP '2024-01-01 01:00:00', 0, 0, 0)`]);
});
afterAll(() => {
  empty?.cleanup();
  idle?.cleanup();
});

describe('empty report sections', () => {
  it('every section of the registry has its empty-state hint listed here', () => {
    expect(Object.keys(HINTS).sort()).toEqual(REPORT_SECTIONS.map((s) => s.id).sort());
  });

  it('when a run has no step and none of the optional parts then every section that has nothing to show says how to get it, and draws no empty chart', async () => {
    const { sections } = await buildReport(empty.runDir);
    expect(sections.filter((s) => s.error)).toEqual([]);
    for (const s of sections) {
      const hint = HINTS[s.id];
      if (hint === null) {
        expect(s.html ?? '', s.id).not.toContain('class="empty"');
        continue;
      }
      expect(s.spec, s.id).toBeUndefined();
      const note = /<p class="empty">([^<]*)<\/p>/.exec(s.html ?? '')?.[1] ?? '';
      expect(note, s.id).toMatch(hint!);
    }
  });

  it('when steps were committed but nobody acted then the actions chart says what makes agents act', async () => {
    const { sections } = await buildReport(dirname(idle.dbPath), { sections: REPORT_SECTIONS.filter((s) => s.id === 'actions-per-step') });
    expect(sections[0]!.spec).toBeUndefined();
    expect(sections[0]!.html).toContain('No actions in this run&#39;s 2 steps: agents act with their cohort&#39;s activity per step (cohorts[].activity)');
  });
});
