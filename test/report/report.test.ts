import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { recordingLogger } from '../helpers/vega.js';
import { buildReport, buildSpecs, writeReport } from '../../src/report/write.js';
import { REPORT_SECTIONS } from '../../src/report/registry.js';
import { escapeInlineScript, jsonForScript } from '../../src/report/html.js';
import type { TopLevelSpec } from '../../src/report/types.js';
import { makeFixture, type Fixture } from '../analysis/fixture.js';

interface Rendered {
  svg: string;
  /** Rows of the named source dataset. */
  rows: number;
  /** Scenegraph items per mark type (rect, symbol, …; a line's items are its vertices). */
  marks: Record<string, number>;
  /** Number of marks per mark type (one line mark per series). */
  markCount: Record<string, number>;
  /** Bars: the datum and top edge of every rect item. */
  rects: { datum: Record<string, unknown>; y: number }[];
}

function collectRects(node: unknown, out: Rendered['rects']): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as { marktype?: unknown; role?: unknown; items?: unknown };
  if (!Array.isArray(n.items)) return;
  for (const child of n.items) {
    if (n.marktype === 'rect' && n.role === 'mark') {
      const it = child as { datum?: Record<string, unknown>; y?: number };
      out.push({ datum: it.datum ?? {}, y: it.y ?? NaN });
    } else collectRects(child, out);
  }
}

function countMarks(node: unknown, items: Record<string, number>, marks: Record<string, number>): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as { marktype?: unknown; role?: unknown; items?: unknown };
  if (Array.isArray(n.items)) {
    if (typeof n.marktype === 'string' && n.role === 'mark' && n.items.length > 0) {
      items[n.marktype] = (items[n.marktype] ?? 0) + n.items.length;
      marks[n.marktype] = (marks[n.marktype] ?? 0) + 1;
    }
    for (const child of n.items) countMarks(child, items, marks);
  }
}

async function render(spec: TopLevelSpec): Promise<Rendered> {
  const { logger, messages } = recordingLogger();
  const compiled = compile(spec, { logger });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logger });
  await view.runAsync();
  const svg = await view.toSVG();
  const data = 'data' in spec ? spec.data : undefined;
  const name = data && 'name' in data && typeof data.name === 'string' ? data.name : 'source_0';
  const rows = (view.data(name) as unknown[]).length;
  const marks: Record<string, number> = {};
  const markCount: Record<string, number> = {};
  // vega-typings' Scene omits `root`, which the runtime scenegraph has
  const root = (view.scenegraph() as unknown as { root: unknown }).root;
  countMarks(root, marks, markCount);
  const rects: Rendered['rects'] = [];
  collectRects(root, rects);
  view.finalize();
  expect(messages).toEqual([]);
  return { svg, rows, marks, markCount, rects };
}

/** Containment checks that do not dump an 800 KB page into the failure message. */
function has(hay: string, needle: string): void {
  expect(hay.includes(needle), `missing: ${needle}`).toBe(true);
}
function hasNot(hay: string, needle: string): void {
  expect(hay.includes(needle), `unexpected: ${needle}`).toBe(false);
}

function specOf(specs: { id: string; spec: TopLevelSpec }[], id: string): TopLevelSpec {
  const s = specs.find((x) => x.id === id);
  if (!s) throw new Error(`no spec ${id}`);
  return s.spec;
}

let fx: Fixture;
let noLikes: Fixture;
let empty: Fixture;
beforeAll(async () => {
  [fx, noLikes, empty] = await Promise.all([makeFixture('full'), makeFixture('no-likes'), makeFixture('empty')]);
});
afterAll(() => {
  for (const f of [fx, noLikes, empty]) f?.cleanup();
});

describe('section registry', () => {
  it('has unique, anchor-safe ids', () => {
    const ids = REPORT_SECTIONS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+$/);
    expect(ids).toEqual(['overview', 'actions-per-step', 'active-agents', 'posts-likes', 'top-posts', 'trends', 'hot-news', 'propagation', 'exposure', 'sentiment', 'stance', 'real-vs-sim', 'similarity', 'persona', 'knowledge-graph', 'llm-usage', 'surveys', 'herding']);
  });
});

describe('writeReport', () => {
  let html = '';
  let file = '';
  beforeAll(async () => {
    file = await writeReport(fx.runDir);
    html = readFileSync(file, 'utf8');
  });

  it('writes report.html into the run folder, self-contained', () => {
    expect(file).toBe(join(fx.runDir, 'report.html'));
    expect(statSync(file).size).toBeGreaterThan(500_000);
    expect(/src\s*=\s*["']?https?:/i.exec(html)?.[0]).toBeUndefined();
    expect(/href\s*=\s*["']?https?:/i.exec(html)?.[0]).toBeUndefined();
    expect(/<link\b/i.exec(html)?.[0]).toBeUndefined();
    has(html, '<title>socialsim report \u2014 fixture-exp</title>');
    // the three libraries are inlined, in load order
    const iVega = html.indexOf('.vega={}');
    const iLite = html.indexOf('.vegaLite={}');
    const iEmbed = html.indexOf('.vegaEmbed=');
    expect(iVega).toBeGreaterThan(0);
    expect(iLite).toBeGreaterThan(iVega);
    expect(iEmbed).toBeGreaterThan(iLite);
    has(html, 'data-lib="vega-lite@6.');
  });

  it('has one </script> per <script> (nothing closes early)', () => {
    const opens = html.match(/<script\b/gi)?.length ?? 0;
    const closes = html.match(/<\/script/gi)?.length ?? 0;
    expect(opens).toBe(5); // specs JSON, 3 libraries, boot script
    expect(closes).toBe(opens);
  });

  it('shows run figures and escapes post text', () => {
    has(html, '20240101-090000-abc123');
    has(html, '<td>Wall time</td><td>2.5 s</td>');
    has(html, '<td>Seed</td><td>42</td>');
    has(html, 'quote with &lt;b&gt;html&lt;/b&gt; &amp; &quot;quotes&quot; &lt;/script&gt;');
    hasNot(html, '<b>html</b>');
    has(html, '@newsbot');
    for (const s of REPORT_SECTIONS) has(html, `<section id="${s.id}">`);
  });

  it('embeds specs as JSON that parses back to the built specs', async () => {
    const m = /<script type="application\/json" id="socialsim-specs">([\s\S]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const embedded = JSON.parse(m?.[1] ?? '') as Record<string, unknown>;
    const specs = await buildSpecs(fx.runDir);
    expect(Object.keys(embedded)).toEqual(specs.map((s) => s.id));
    for (const s of specs) expect(embedded[s.id]).toEqual(JSON.parse(JSON.stringify(s.spec)));
    expect(m?.[1]).not.toContain('<');
  });

  it("the page's own inlined libraries load and render its embedded specs", async () => {
    // Runs the inlined (escaped) bundles in a bare context with the browser globals they use.
    const ctx = vm.createContext({
      console, setTimeout, clearTimeout, setInterval, clearInterval, structuredClone, URL, TextEncoder, TextDecoder, performance,
    });
    for (const m of html.matchAll(/<script data-lib="[^"]+">([\s\S]*?)<\/script>/g)) new vm.Script(m[1] ?? '').runInContext(ctx);
    const specs = /id="socialsim-specs">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}';
    const out: unknown = await vm.runInContext(
      `(async (specs) => {
        const svgs = {};
        for (const k of Object.keys(specs)) {
          const view = new vega.View(vega.parse(vegaLite.compile(specs[k]).spec), { renderer: 'none' });
          svgs[k] = (await view.toSVG()).includes('role-mark');
        }
        return { embed: typeof vegaEmbed, svgs };
      })(${specs})`,
      ctx,
    );
    expect(out).toEqual({ embed: 'function', svgs: { 'actions-per-step': true, 'active-agents': true, 'posts-likes': true, 'hot-news': true, propagation: true, sentiment: true } });
  });

  it('writes to a custom output file or directory', async () => {
    const outFile = join(fx.root, 'out', 'nested', 'r.html');
    expect(await writeReport(fx.runDir, { out: outFile, topPosts: 1 })).toBe(outFile);
    const small = readFileSync(outFile, 'utf8');
    has(small, 'Breaking: the moon');
    hasNot(small, 'bob here'); // only the top post
    const dir = join(fx.root, 'outdir');
    mkdirSync(dir);
    // A folder takes the report under the run's name, so reports of several runs can share it.
    expect(await writeReport(fx.runDir, { out: dir })).toBe(join(dir, 'fixture-exp-20240101-090000-abc123.html'));
    expect(existsSync(join(dir, 'fixture-exp-20240101-090000-abc123.html'))).toBe(true);
  });
});

describe('chart specs compile and render', () => {
  it('every spec of the full run renders its data', async () => {
    const specs = await buildSpecs(fx.runDir);
    expect(specs.map((s) => s.id)).toEqual(['actions-per-step', 'active-agents', 'posts-likes', 'hot-news', 'propagation', 'sentiment']);
    for (const { spec } of specs) expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');

    const actions = await render(specOf(specs, 'actions-per-step'));
    // step 1: create_post, follow, like, refresh + failed; step 2: create_post, like, repost + failed;
    // step 3: create_post, do_nothing, like, repost + failed → 14 bars
    expect(actions.rows).toBe(14);
    expect(actions.marks['rect']).toBe(14);
    expect(actions.svg).toContain('<svg');
    expect(actions.svg).toContain('failed (any type)');
    // stacked: step 1's five bars sit at five different heights, rejected attempts at the bottom
    const step1 = actions.rects.filter((r) => r.datum['step'] === 1);
    expect(step1).toHaveLength(5);
    expect(new Set(step1.map((r) => r.y)).size).toBe(5);
    const bottom = step1.reduce((a, b) => (b.y > a.y ? b : a));
    expect(bottom.datum['series']).toBe('failed (any type)');

    const active = await render(specOf(specs, 'active-agents'));
    expect(active.rows).toBe(3);
    expect(active.marks['symbol']).toBe(3);
    expect(active.markCount['line']).toBe(1);
    expect(active.marks['line']).toBe(3);

    const pl = await render(specOf(specs, 'posts-likes'));
    expect(pl.rows).toBe(3); // steps 1..3: step 0 holds only the two opening posts
    expect(pl.marks['symbol']).toBe(6); // two series × 3 points
    expect(pl.markCount['line']).toBe(2);
    expect(pl.svg).toContain('likes');
  });

  it('a run with zero likes still renders both series', async () => {
    const specs = await buildSpecs(noLikes.runDir);
    const pl = await render(specOf(specs, 'posts-likes'));
    expect(pl.rows).toBe(3);
    expect(pl.marks['symbol']).toBe(6);
    for (const { spec } of specs) expect((await render(spec)).svg).toContain('<svg');
    const html = readFileSync(await writeReport(noLikes.runDir), 'utf8');
    has(html, '<td class="num">100</td>'); // reposted post still ranks
  });

  it('an empty run (no steps, no posts) draws no empty chart and notes what is missing (test/report/empty-sections.test.ts checks each note)', async () => {
    const report = await buildReport(empty.runDir);
    expect(report.sections.filter((s) => s.error)).toEqual([]);
    expect(report.sections.filter((s) => s.spec).map((s) => s.id)).toEqual([]);
    const html = readFileSync(await writeReport(empty.runDir), 'utf8');
    has(html, 'No post was liked or reposted.');
    has(html, 'No step was committed in this run');
  });
});

describe('escaping helpers', () => {
  it('neutralises </script and <!-- in inlined code', () => {
    const js = `var a = "</script><!-- x"; var b = '</SCRIPT>';`;
    const out = escapeInlineScript(js);
    expect(out).not.toMatch(/<\/script/i);
    expect(out).not.toContain('<!--');
    // still the same program
    const run = (src: string): unknown => new Function(`${src}; return [a, b];`)();
    expect(run(out)).toEqual(run(js));
  });

  it('escapes < in embedded JSON', () => {
    const s = jsonForScript({ t: '</script><b>' });
    expect(s).not.toContain('<');
    expect(JSON.parse(s)).toEqual({ t: '</script><b>' });
  });
});
