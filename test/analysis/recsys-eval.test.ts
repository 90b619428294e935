import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { recsysEvaluation } from '../../src/analysis/recsys-eval.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { SMALL_YAML } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const BROWSE_YAML = `${SMALL_YAML}browse: { page_size: 3, max_pages: 3 }\n`;

interface TraceRow { step: number; agent_id: number; action: string; post_id: number | null; rating: number | null }
interface ImpressionRow { step: number; agent_id: number; post_id: number; rank: number }

describe('recommender evaluation in browse mode', () => {
  it('when agents browse then impressions hold exactly the pages each reached and the metrics equal counts recomputed from the rows', async () => {
    const { dir } = await runExperiment(parseExperiment(BROWSE_YAML, 'browse.yaml'), { resultsRoot: tempDir(), quiet: true });
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const trace = await db.query<TraceRow>(
        `SELECT step, agent_id, action, CAST(args->>'post_id' AS INTEGER) AS post_id, CAST(args->>'rating' AS INTEGER) AS rating FROM trace WHERE ok ORDER BY seq`,
      );
      const impressions = await db.query<ImpressionRow>(`SELECT step, agent_id, post_id::INTEGER AS post_id, rank FROM impressions WHERE source IN ('recsys', 'home')`);
      const rec = await db.query<{ n: number; step: number; user_id: number }>(`SELECT step, user_id, count(*)::INTEGER AS n FROM rec GROUP BY ALL`);
      const key = (s: number, a: number): string => `${s}:${a}`;

      const sessions = new Map<string, { pages: number; rating: number }>();
      for (const t of trace) {
        if (t.action === 'exit_feed') sessions.set(key(t.step, t.agent_id), { pages: 1, rating: t.rating ?? NaN });
      }
      for (const t of trace) if (t.action === 'next_page') sessions.get(key(t.step, t.agent_id))!.pages++;
      const shown = new Map<string, Set<number>>();
      for (const i of impressions) (shown.get(key(i.step, i.agent_id)) ?? shown.set(key(i.step, i.agent_id), new Set()).get(key(i.step, i.agent_id))!).add(i.post_id);

      expect(sessions.size).toBeGreaterThan(50);
      // Every active agent browsed once per step, and was shown only the pages it reached.
      for (const [k, s] of sessions) {
        const got = shown.get(k)?.size ?? 0;
        expect(got).toBeLessThanOrEqual(3 * s.pages);
        if (got < 3 * s.pages) expect(got, `${k} saw less than its pages because its feed ran out`).toBeLessThan(10);
      }
      expect([...shown.keys()].every((k) => sessions.has(k))).toBe(true);
      expect(Math.max(...[...sessions.values()].map((s) => s.pages))).toBeGreaterThan(1);
      expect(rec.length).toBeGreaterThan(0);

      const views = trace.filter((t) => t.action === 'view_post' && shown.get(key(t.step, t.agent_id))?.has(t.post_id!)).length;
      const likes = trace.filter((t) => t.action === 'like' && shown.get(key(t.step, t.agent_id))?.has(t.post_id!)).length;
      const shownTotal = [...shown.values()].reduce((n, s) => n + s.size, 0);
      const ev = await recsysEvaluation(db);
      expect(ev.sessions).toBe(sessions.size);
      expect(ev.shown).toBe(shownTotal);
      expect(ev.p_view).toBeCloseTo(views / shownTotal, 10);
      expect(ev.p_like).toBeCloseTo(likes / shownTotal, 10);
      expect(ev.n_like).toBeCloseTo(likes / sessions.size, 10);
      expect(ev.n_exit).toBeCloseTo([...sessions.values()].reduce((n, s) => n + s.pages, 0) / sessions.size, 10);
      expect(ev.s_sat).toBeCloseTo([...sessions.values()].reduce((n, s) => n + s.rating, 0) / sessions.size, 10);
      expect(ev.p_view!).toBeGreaterThan(0);
      expect(ev.s_sat!).toBeGreaterThanOrEqual(1);
    });
  });

  it('when browse mode is off then the evaluation has no sessions and null metrics', async () => {
    const { dir } = await runExperiment(parseExperiment(SMALL_YAML, 'small.yaml'), { resultsRoot: tempDir(), quiet: true });
    const ev = await withSimDb(join(dir, 'sim.duckdb'), recsysEvaluation);
    expect(ev.sessions).toBe(0);
    expect(ev.shown).toBe(0);
    expect([ev.p_view, ev.n_like, ev.p_like, ev.n_exit, ev.s_sat]).toEqual([null, null, null, null, null]);
  });
});
