/** Trends in what agents wrote (analysis/trends.ts): the top #tags per step with their bursts, and the terms that rose most. */
import { BURST_MIN, BURST_Z, trends, type Trends } from '../../analysis/trends.js';
import { hasRealPosts } from '../../analysis/sides.js';
import { htmlTable } from '../html.js';
import { emptyNote, NO_POSTS } from './empty.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type ReportSection, type TopLevelSpec } from '../types.js';

/** Tags drawn in the chart. */
const CHART_TAGS = 8;

export const trendsSection: ReportSection = {
  id: 'trends',
  title: 'Trends',
  async build(q) {
    const t = await trends(q.db, undefined, 'sim', q.settings.stepMs);
    const real = (await hasRealPosts(q.db)) ? await trends(q.db, undefined, 'real', q.settings.stepMs) : null;
    const base = {
      id: this.id,
      title: this.title,
      description:
        `#tags and words of the posts agents wrote during the run, per step. A burst: a term counted at least ${BURST_MIN} times in a step, where its mean share ` +
        `of the ${t.window} steps before would give e at this step's volume, and z = (count − e) / max(√e, 1) ≥ ${BURST_Z}. Rising: the terms that grew most from one ${t.window}-step window to the next. ` +
        "Beside them, the same for the dataset's real posts when the run has them, placed by their own time on steps of the run's length from the first of them.",
    };
    if (t.counts.length === 0) return { ...base, html: emptyNote(NO_POSTS) };
    const perStep = new Map<string, { step: number; term: string; count: number }>();
    const totals = new Map<string, number>();
    for (const c of t.counts) {
      if (c.kind !== 'tag') continue;
      const key = `${c.step}\u0001${c.term}`;
      const row = perStep.get(key) ?? perStep.set(key, { step: c.step, term: c.term, count: 0 }).get(key)!;
      row.count += c.count;
      totals.set(c.term, (totals.get(c.term) ?? 0) + c.count);
    }
    const top = new Set([...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, CHART_TAGS).map(([tag]) => tag));
    const lines = [...perStep.values()].filter((r) => top.has(r.term)).map((r) => ({ ...r, term: `#${r.term}` }));
    const marks = t.bursts.filter((b) => b.kind === 'tag' && top.has(b.term)).map((b) => ({ step: b.step, term: `#${b.term}`, count: b.count, z: b.z }));
    const bursts = htmlTable(
      ['step', 'term', 'count', 'expected', 'z'],
      t.bursts.slice(0, 30).map((b) => [b.step, `${b.kind === 'tag' ? '#' : ''}${b.term}`, b.count, b.expected.toFixed(2), b.z.toFixed(1)]),
      { numeric: [0, 2, 3, 4], empty: 'No burst.' },
    );
    const rising = htmlTable(
      ['window from step', 'term', 'count', 'window before', 'growth'],
      t.rising.map((r) => [r.from_step, `${r.kind === 'tag' ? '#' : ''}${r.term}`, r.count, r.previous, r.growth]),
      { numeric: [0, 2, 3, 4], empty: 'No term rose from one window to the next.' },
    );
    const x = { field: 'step', type: 'quantitative' as const, axis: { tickMinStep: 1, format: 'd' } };
    const realHtml = real === null ? '' : `\n<h3>The dataset's real posts</h3>\n${realTrends(real)}`;
    const html = `<h3>Bursts</h3>\n${bursts}\n<h3>Rising terms</h3>\n${rising}${realHtml}`;
    if (lines.length === 0) return { ...base, html: `<p class="note">No post carried a #tag; the tables count words.</p>\n${html}` };
    const lineLayer = {
      data: { values: lines },
      mark: { type: 'line' as const },
      encoding: {
        x,
        y: { field: 'count', type: 'quantitative' as const, title: 'posts carrying the tag' },
        color: { field: 'term', type: 'nominal' as const, title: `top ${CHART_TAGS} #tags` },
        tooltip: [{ field: 'term', type: 'nominal' as const }, { field: 'step', type: 'quantitative' as const }, { field: 'count', type: 'quantitative' as const }],
      },
    };
    const burstLayer = {
      data: { values: marks },
      mark: { type: 'point' as const, shape: 'triangle-up', size: 90, filled: true, color: '#cf222e' },
      encoding: {
        x,
        y: { field: 'count', type: 'quantitative' as const },
        tooltip: [
          { field: 'term', type: 'nominal' as const, title: 'burst' },
          { field: 'step', type: 'quantitative' as const },
          { field: 'count', type: 'quantitative' as const },
          { field: 'z', type: 'quantitative' as const, format: '.1f' },
        ],
      },
    };
    // An empty layer would give vega an infinite extent to warn about.
    const spec: TopLevelSpec =
      marks.length === 0
        ? { $schema: VEGA_LITE_SCHEMA, width: CHART_WIDTH, height: CHART_HEIGHT, layer: [lineLayer] }
        : { $schema: VEGA_LITE_SCHEMA, width: CHART_WIDTH, height: CHART_HEIGHT, layer: [lineLayer, burstLayer] };
    return { ...base, html, spec };
  },
};

/** The real side in brief: its top #tags overall and its strongest bursts. */
function realTrends(t: Trends): string {
  if (t.counts.length === 0) return '<p class="note">No real post with text.</p>';
  const totals = new Map<string, number>();
  for (const c of t.counts) if (c.kind === 'tag') totals.set(c.term, (totals.get(c.term) ?? 0) + c.count);
  const top = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, CHART_TAGS);
  const tags = htmlTable(['#tag', 'posts'], top.map(([tag, n]) => [`#${tag}`, n]), { numeric: [1], empty: 'No real post carried a #tag.' });
  const bursts = htmlTable(
    ['step', 'term', 'count', 'expected', 'z'],
    [...t.bursts].sort((a, b) => b.z - a.z).slice(0, 10).map((b) => [b.step, `${b.kind === 'tag' ? '#' : ''}${b.term}`, b.count, b.expected.toFixed(2), b.z.toFixed(1)]),
    { numeric: [0, 2, 3, 4], empty: 'No burst among the real posts.' },
  );
  return `${tags}\n<h4>Strongest bursts of the real posts</h4>\n${bursts}`;
}
