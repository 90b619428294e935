import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { knowledgeGraphSection } from '../../src/report/sections/knowledge-graph.js';
import { buildReport } from '../../src/report/write.js';
import { makeDb, type TestDb } from '../analysis/cascade-db.js';
import { recordingLogger } from '../helpers/vega.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

/** Items drawn per mark type (rule, symbol, text) in a rendered spec. */
async function marks(spec: Parameters<typeof compile>[0]): Promise<{ messages: string[]; count: Record<string, number> }> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  type Node = { marktype?: string; role?: string; items?: Node[] };
  const count: Record<string, number> = {};
  const walk = (n: Node): void => {
    if (n.role === 'mark' && n.marktype) count[n.marktype] = (count[n.marktype] ?? 0) + (n.items?.length ?? 0);
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return { messages, count };
}

describe('knowledge graph report section', () => {
  it('when agents and the real posts each form two groups then both graphs are drawn side by side, points and edges, and the tables name the communities', async () => {
    // Each side holds two groups of #tags that never share a post (one community each: a single
    // group alone would be split, as one community has modularity 0). Real posts 1–8: #b by
    // users 3, 4 and #d by 7, 8; the agents' posts 9–16: #a by users 1, 2 and #c by 5, 6.
    const group = (g: string, first: number, user: number): (readonly [number, number, string])[] =>
      [`x #${g}1 #${g}2 #${g}3`, `y #${g}1 #${g}2`, `z #${g}2 #${g}3 #${g}1`, `w #${g}3 #${g}1`].map((t, i) => [first + i, user + (i >> 1), t] as const);
    const rows = [...group('b', 1, 3), ...group('d', 5, 7), ...group('a', 9, 1), ...group('c', 13, 5)];
    db = await makeDb([
      `INSERT INTO users VALUES ${[1, 2, 3, 4, 5, 6, 7, 8].map((id) => `(${id}, 'u${id}', 'U${id}', '', 'pop', 'm', 'agent', '{}', 0)`).join(', ')}`,
      `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${rows.map(([id, a, t]) => `(${id}, ${a}, '${t}', 'original', 1, TIMESTAMP '2024-01-01 01:00:00')`).join(', ')}`,
      `INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES ${[1, 2, 3, 4, 5, 6, 7, 8].map((id) => `(${id}, 'd${id}', false)`).join(', ')}`,
      `INSERT INTO meta VALUES ('opening_posts', '8')`,
    ]);
    const [section] = (await buildReport(dirname(db.dbPath), { sections: [knowledgeGraphSection] })).sections;
    expect(section!.error).toBeUndefined();
    const html = section!.html!;
    // A group: #x1 in 4 posts, #x2 and #x3 in 3, two users with 2 each → 14 posts, 5 nodes; the
    // groups tie, and the one whose first id sorts first is community 1.
    const row = (side: string, c: number, labels: string): string => `<tr><td>${side}</td><td class="num">${c}</td><td class="num">5</td><td class="num">14</td><td>${labels}</td></tr>`;
    for (const r of [row('sim', 1, '#a1, #a2, #a3'), row('sim', 2, '#c1, #c2, #c3'), row('real', 1, '#b1, #b2, #b3'), row('real', 2, '#d1, #d2, #d3')]) expect(html).toContain(r);
    const { messages, count } = await marks(section!.spec!);
    expect(messages).toEqual([]);
    // Per group: 3 co-occurrences (x1–x2 ×3, x1–x3 ×3, x2–x3 ×2) and 4 mentions of weight 2
    // (first user: x1, x2; second: x1, x3): 7 rules and 5 points; 4 groups; every node named (up to 12 a side).
    expect(count).toEqual({ rule: 28, symbol: 20, text: 20 });
  });

  it('when no entity or #tag comes back in a second post then the section says how to get data and draws nothing', async () => {
    db = await makeDb([
      `INSERT INTO users VALUES (1, 'u1', 'U1', '', 'pop', 'm', 'agent', '{}', 0)`,
      `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES (1, 1, 'one #solo', 'original', 1, TIMESTAMP '2024-01-01 01:00:00'), (2, 1, 'two #other', 'original', 1, TIMESTAMP '2024-01-01 01:00:00')`,
    ]);
    const [section] = (await buildReport(dirname(db.dbPath), { sections: [knowledgeGraphSection] })).sections;
    expect(section!.spec).toBeUndefined();
    expect(section!.html).toContain('No entity, #tag or user appears in two posts');
  });
});
