import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposureSection } from '../../src/report/sections/exposure.js';
import { buildReport } from '../../src/report/write.js';
import { legendSymbols, renderLines } from '../helpers/vega.js';
import { crossCuttingExposure, crossCuttingTotals, DECIDED } from '../../src/analysis/exposure.js';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { tempDir } from '../helpers/tmp.js';

const experiment = (stances: boolean) =>
  parseExperiment(
    `name: exposure
seed: 3
clock: { timesteps: 4, step: 1h }
dataset: { generate: { topics: [politics, climate, tech], follows_per_agent: 6${stances ? ', stance_topics: [politics, climate], polarization: 0.8' : ''} } }
cohorts: [{ name: all, count: 120, model: stat, activity: 0.6 }]
recsys: { kind: random, feed_size: 10 }
`,
    'exposure.yaml',
  );

/** The run with stances, made once (beforeAll): one test recounts its shares, another draws its report section. */
let stancesRoot: string;
let withStances: string;

beforeAll(async () => {
  stancesRoot = mkdtempSync(join(tmpdir(), 'socialsim-exposure-'));
  withStances = (await runExperiment(experiment(true), { resultsRoot: stancesRoot, quiet: true })).dir;
}, 60_000);

afterAll(() => {
  if (stancesRoot) rmSync(stancesRoot, { recursive: true, force: true });
});

describe('crossCuttingExposure', () => {
  it('when agents hold stances then the shares equal a recount from the raw rows, per step, topic and kind', async () => {
    const dir = withStances;
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const got = await crossCuttingExposure(db);
      const users = await db.query<{ user_id: number; persona: string }>('SELECT user_id, persona FROM users');
      const stance = new Map(users.map((u) => [u.user_id, (JSON.parse(u.persona) as { stance?: Record<string, number> }).stance ?? {}]));
      const author = new Map((await db.query<{ id: number; a: number }>('SELECT post_id::DOUBLE AS id, author_id AS a FROM posts')).map((r) => [r.id, r.a]));
      const events = [
        ...(await db.query<{ step: number; viewer: number; post: number }>('SELECT step, agent_id AS viewer, post_id::DOUBLE AS post FROM impressions')).map((e) => ({ ...e, kind: 'shown' })),
        ...(await db.query<{ step: number; viewer: number; post: number }>('SELECT created_step AS step, user_id AS viewer, post_id::DOUBLE AS post FROM likes')).map((e) => ({ ...e, kind: 'liked' })),
      ];
      const tally = new Map<string, { cross: number; all: number }>();
      for (const e of events) {
        const a = author.get(e.post)!;
        if (a === e.viewer) continue;
        for (const [topic, s] of Object.entries(stance.get(e.viewer) ?? {})) {
          const t = stance.get(a)?.[topic];
          if (Math.abs(s) < DECIDED || t === undefined || Math.abs(t) < DECIDED) continue;
          const key = `${e.step}|${topic}|${e.kind}`;
          const c = tally.get(key) ?? { cross: 0, all: 0 };
          c.all++;
          if (Math.sign(s) !== Math.sign(t)) c.cross++;
          tally.set(key, c);
        }
      }
      const want = [...tally].map(([key, c]) => {
        const [step, topic, kind] = key.split('|');
        return { step: Number(step), topic: topic!, kind: kind!, share: c.cross / c.all, posts: c.all };
      });
      const order = (r: { step: number; topic: string; kind: string }) => `${String(r.step).padStart(3, '0')}|${r.topic}|${r.kind}`;
      want.sort((x, y) => order(x).localeCompare(order(y)));
      expect(got.length).toBeGreaterThan(8);
      expect(got.map((r) => ({ ...r, share: Number(r.share.toFixed(12)) }))).toEqual(want.map((r) => ({ ...r, share: Number(r.share.toFixed(12)) })));
      // The run's totals (the sweep index's cross_cutting_shown/liked) pool every step and topic.
      const pooled = (kind: string) => {
        const rows = want.filter((r) => r.kind === kind);
        return rows.reduce((n, r) => n + r.share * r.posts, 0) / rows.reduce((n, r) => n + r.posts, 0);
      };
      const totals = await crossCuttingTotals(db);
      expect(totals.shown).toBeCloseTo(pooled('shown'), 12);
      expect(totals.liked).toBeCloseTo(pooled('liked'), 12);
      // Polarised stances under a random feed: a good part of what agents see is from the other side.
      expect(got.filter((r) => r.kind === 'shown').every((r) => r.share > 0.2 && r.share < 0.8)).toBe(true);
    });
  });

  it('when no agent holds a stance then there is nothing to measure, and the report says so', async () => {
    const { dir } = await runExperiment(experiment(false), { resultsRoot: tempDir(), quiet: true });
    expect(await withSimDb(join(dir, 'sim.duckdb'), (db) => crossCuttingExposure(db))).toEqual([]);
    expect(await withSimDb(join(dir, 'sim.duckdb'), (db) => crossCuttingTotals(db))).toEqual({ shown: null, liked: null });
    const [section] = (await buildReport(dir, { sections: [exposureSection] })).sections;
    expect(section!.spec).toBeUndefined();
    expect(section!.html).toContain('No agent holds a stance in this run');
  });

  it('when agents hold stances then the report draws one solid and one dashed line per topic, without a vega warning, and its legend tells the two apart', async () => {
    const dir = withStances;
    const [section] = (await buildReport(dir, { sections: [exposureSection] })).sections;
    expect(section!.error).toBeUndefined();
    const { messages, lines } = await renderLines(section!.spec!);
    expect(messages).toEqual([]);
    // Two topics × shown/liked: four series, each over the run's 4 steps.
    expect(lines).toEqual([4, 4, 4, 4]);
    // "shown" and "liked" are drawn as a visible solid and a visible dashed stroke, not as two identical dots.
    const symbols = await legendSymbols(section!.spec!);
    const shown = symbols.find((s) => s.label === 'shown')!;
    const liked = symbols.find((s) => s.label === 'liked')!;
    for (const s of [shown, liked]) {
      expect(s.shape).toBe('stroke');
      expect(s.stroke).not.toBe('transparent');
    }
    expect(shown.strokeDash?.[1] ?? 0).toBe(0); // no gaps: solid
    expect(liked.strokeDash?.[1]).toBeGreaterThan(0); // gaps: dashed
  });
});
