import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { recsysEvaluation } from '../../src/analysis/recsys-eval.js';
import { browseSettings, sessionsPage } from '../../src/board/sessions/query.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { SMALL_YAML } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const BROWSE_YAML = `${SMALL_YAML}browse: { page_size: 3, max_pages: 3 }\n`;

interface Recounted {
  step: number;
  agent_id: number;
  cohort: string;
  pages: number;
  shown: number;
  viewed: number;
  liked: number;
  reposted: number;
  exit_page: number | null;
  satisfaction: number | null;
}

describe('browse sessions', () => {
  it('when a run browsed then each session, filter and summary equals a recount from trace and impressions', async () => {
    const { dir } = await runExperiment(parseExperiment(BROWSE_YAML, 'browse.yaml'), { resultsRoot: tempDir(), quiet: true });
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const trace = await db.query<{ step: number; agent_id: number; action: string; post_id: number | null; rating: number | null; ok: boolean }>(
        `SELECT step, agent_id, action, ok, CAST(args->>'post_id' AS BIGINT) AS post_id, CAST(args->>'rating' AS INTEGER) AS rating FROM trace ORDER BY seq`,
      );
      const users = new Map((await db.query<{ user_id: number; cohort: string; kind: string }>(`SELECT user_id, cohort, kind FROM users`)).map((u) => [u.user_id, u]));
      const impressions = await db.query<{ step: number; agent_id: number; post_id: number; source: string }>(`SELECT step, agent_id, post_id, source FROM impressions`);
      const key = (s: number, a: number): string => `${s}:${a}`;
      const want = new Map<string, Recounted>();
      for (const t of trace) {
        if (users.get(t.agent_id)?.kind !== 'agent' || want.has(key(t.step, t.agent_id))) continue;
        want.set(key(t.step, t.agent_id), { step: t.step, agent_id: t.agent_id, cohort: users.get(t.agent_id)!.cohort, pages: 1, shown: 0, viewed: 0, liked: 0, reposted: 0, exit_page: null, satisfaction: null });
      }
      const shown = new Map<string, number[]>();
      for (const i of impressions) {
        if (i.source !== 'recsys' && i.source !== 'home') continue;
        const s = want.get(key(i.step, i.agent_id));
        if (!s) continue;
        s.shown++;
        shown.set(key(i.step, i.agent_id), [...(shown.get(key(i.step, i.agent_id)) ?? []), i.post_id]);
      }
      for (const t of trace.filter((x) => x.ok)) {
        const s = want.get(key(t.step, t.agent_id));
        if (!s) continue;
        if (t.action === 'next_page') s.pages++;
        const times = (shown.get(key(t.step, t.agent_id)) ?? []).filter((p) => p === t.post_id).length;
        if (t.action === 'view_post') s.viewed += times;
        if (t.action === 'like') s.liked += times;
        if (t.action === 'repost') s.reposted += times;
      }
      for (const t of trace.filter((x) => x.ok && x.action === 'exit_feed')) {
        const s = want.get(key(t.step, t.agent_id))!;
        s.exit_page = s.pages;
        s.satisfaction = t.rating;
      }
      const all = [...want.values()];
      expect(all.length).toBeGreaterThan(150);
      expect(all.some((s) => s.reposted > 0)).toBe(true);

      expect(await browseSettings(db)).toEqual({ page_size: 3, max_pages: 3 });
      const got = (await sessionsPage(db, {}, 'step', false, 0, 100_000)).rows;
      expect(got.map(({ username: _u, ...r }) => r)).toEqual([...all].sort((a, b) => a.step - b.step || a.agent_id - b.agent_id));

      const filter = { cohort: 'loud', fromStep: 2, toStep: 4, minPages: 2, liked: true };
      const kept = all.filter((s) => s.cohort === 'loud' && s.step >= 2 && s.step <= 4 && s.pages >= 2 && s.liked > 0);
      expect(kept.length).toBeGreaterThan(5);
      expect(kept.length).toBeLessThan(all.length / 2);
      const { summary, distribution } = await sessionsPage(db, filter, 'step', false, 0, 10);
      expect(summary.sessions).toBe(kept.length);
      expect(summary.mean_pages).toBeCloseTo(kept.reduce((n, s) => n + s.pages, 0) / kept.length, 10);
      expect(summary.mean_liked).toBeCloseTo(kept.reduce((n, s) => n + s.liked, 0) / kept.length, 10);
      const rated = kept.filter((s) => s.satisfaction !== null);
      expect(summary.mean_satisfaction).toBeCloseTo(rated.reduce((n, s) => n + s.satisfaction!, 0) / rated.length, 10);
      expect(summary.exited).toBe(kept.filter((s) => s.exit_page !== null).length);

      const byPages = new Map<number, number>();
      for (const s of kept) byPages.set(s.pages, (byPages.get(s.pages) ?? 0) + 1);
      expect(distribution).toEqual([...byPages].sort((a, b) => a[0] - b[0]).map(([pages, sessions]) => ({ pages, sessions })));

      // Sorted by pages, most first, ties by step then agent; the second page of 10 starts at the 11th.
      const sorted = [...all].sort((a, b) => b.pages - a.pages || a.step - b.step || a.agent_id - b.agent_id);
      const page2 = (await sessionsPage(db, {}, 'pages', true, 10, 10)).rows;
      expect(page2.map((r) => [r.step, r.agent_id])).toEqual(sorted.slice(10, 20).map((r) => [r.step, r.agent_id]));

      // The same sessions as the run's evaluation table.
      const ev = await recsysEvaluation(db);
      expect(ev.sessions).toBe(all.length);
      expect(ev.n_exit).toBeCloseTo(all.reduce((n, s) => n + s.pages, 0) / all.length, 10);
    });
  });

  it('when a run was not in browse mode then it has no browse settings', async () => {
    const { dir } = await runExperiment(parseExperiment(SMALL_YAML.replace('timesteps: 6', 'timesteps: 2'), 'small.yaml'), { resultsRoot: tempDir(), quiet: true });
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      expect(await browseSettings(db)).toBeNull();
      const none = await sessionsPage(db, {}, 'step', false, 0, 100);
      expect([none.summary.sessions, none.rows, none.distribution]).toEqual([0, [], []]);
    });
  });
});
