/** The public-opinion knowledge graph (analysis/knowledge-graph.ts): its largest communities, its commonest entities and #tags, and a picture of its busiest nodes. */
import { knowledgeGraph, MIN_POSTS, MIN_WEIGHT, type KnowledgeGraph } from '../../analysis/knowledge-graph.js';
import { hasRealPosts, type Side } from '../../analysis/sides.js';
import { Rng } from '../../common/rng.js';
import { forceLayout } from '../graph-layout.js';
import { htmlTable } from '../html.js';
import { emptyNote } from './empty.js';
import { VEGA_LITE_SCHEMA, type ReportSection, type TopLevelSpec } from '../types.js';

const COMMUNITIES = 8;
const ENTITIES = 15;
/** Nodes drawn per side (the ones with the most posts). */
const DRAWN = 60;
/** Nodes named on the picture. */
const NAMED = 12;
const VIEW = 520;

export const NO_GRAPH =
  'No entity, #tag or user appears in two posts, so there is no knowledge graph to draw: it links the people, places and organisations compromise finds in posts, their #tags and their authors. ' +
  'Agents write posts with models.<name>.post_prob (statistical) or create_post (LLM); a dataset with posts (dataset.posts) brings real ones.';

const WHO: Record<Side, string> = { sim: "Agents' posts", real: "The dataset's real posts" };

/** One side's picture: its DRAWN busiest nodes laid out, edges among them as rules. */
function view(side: Side, g: KnowledgeGraph, seed: number): Record<string, unknown> {
  const shown = g.nodes.slice(0, DRAWN);
  const ids = new Set(shown.map((n) => n.id));
  const edges = g.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const at = forceLayout(shown, edges, Rng.derive(seed, 'graph-layout', side));
  const points = shown.map((n, i) => ({ ...at.get(n.id)!, label: n.label, kind: n.kind, posts: n.posts, sentiment: n.sentiment, community: String(n.community), named: i < NAMED }));
  const rules = edges.map((e) => ({ x: at.get(e.source)!.x, y: at.get(e.source)!.y, x2: at.get(e.target)!.x, y2: at.get(e.target)!.y, edge: e.kind, weight: e.weight }));
  const axis = { axis: null, scale: { domain: [-0.05, 1.05] } };
  return {
    title: WHO[side],
    width: VIEW,
    height: VIEW,
    layer: [
      {
        data: { values: rules },
        mark: { type: 'rule', color: '#999', opacity: 0.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis },
          y: { field: 'y', type: 'quantitative', ...axis },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          strokeWidth: { field: 'weight', type: 'quantitative', scale: { range: [0.5, 4] }, legend: null },
          // Solid: co-occurrence; dashed: an author's mentions (said in the description).
          strokeDash: { field: 'edge', type: 'nominal', scale: { domain: ['co_occurs', 'mentions'], range: [[1, 0], [3, 2]] }, legend: null },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, opacity: 0.85 },
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis },
          y: { field: 'y', type: 'quantitative', ...axis },
          size: { field: 'posts', type: 'quantitative', scale: { range: [30, 600] }, title: 'posts' },
          // Numbered communities in numeric order (a nominal scale would sort "10" before "2").
          color: { field: 'community', type: 'nominal', title: 'community', scale: { domain: [...new Set(shown.map((n) => n.community))].sort((a, b) => a - b).map(String) } },
          shape: { field: 'kind', type: 'nominal', title: 'node' },
          tooltip: [
            { field: 'label', type: 'nominal' },
            { field: 'kind', type: 'nominal' },
            { field: 'posts', type: 'quantitative' },
            { field: 'sentiment', type: 'quantitative', format: '.3f' },
            { field: 'community', type: 'nominal' },
          ],
        },
      },
      {
        data: { values: points.filter((p) => p.named) },
        mark: { type: 'text', dy: -10, fontSize: 10 },
        encoding: {
          x: { field: 'x', type: 'quantitative', ...axis },
          y: { field: 'y', type: 'quantitative', ...axis },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
  };
}

export const knowledgeGraphSection: ReportSection = {
  id: 'knowledge-graph',
  title: 'Knowledge graph',
  async build(q) {
    const seed = q.settings.seed ?? 0;
    const sides: Side[] = (await hasRealPosts(q.db)) ? ['sim', 'real'] : ['sim'];
    const graphs = (await Promise.all(sides.map(async (side) => [side, await knowledgeGraph(q.db, seed, side)] as const))).filter(([, g]) => g.nodes.length > 0);
    const base = {
      id: this.id,
      title: this.title,
      description:
        `People, places and organisations (found by compromise), #tags and authors as nodes; two entities or #tags in one post co-occur, an author mentions what its posts name; ` +
        `only what appears in ${MIN_POSTS}+ posts and edges of weight ${MIN_WEIGHT}+. Communities by Louvain (seeded). Drawn: each side's ${DRAWN} nodes with the most posts, size = posts, colour = community, solid lines co-occurrences, dashed ones mentions; beside the dataset's real posts when the run has them.`,
    };
    if (graphs.length === 0) return { ...base, html: emptyNote(NO_GRAPH) };
    const two = sides.length > 1;
    const summary = graphs
      .map(([side, g]) => {
        const sampled = g.read < g.eligible ? ` (a uniform sample of ${g.eligible.toLocaleString('en-US')})` : '';
        return `${WHO[side]}: ${g.read.toLocaleString('en-US')} posts read${sampled}; ${g.nodes.length.toLocaleString('en-US')} nodes, ${g.edges.length.toLocaleString('en-US')} edges, ${g.communities.length.toLocaleString('en-US')} communities.`;
      })
      .join('<br>');
    const communities = htmlTable(
      [...(two ? ['side'] : []), 'community', 'nodes', 'posts', 'top labels'],
      graphs.flatMap(([side, g]) => g.communities.slice(0, COMMUNITIES).map((c) => [...(two ? [side] : []), c.community, c.nodes, c.posts, c.top_labels])),
    );
    const entities = htmlTable(
      [...(two ? ['side'] : []), 'entity', 'kind', 'posts', 'sentiment', 'community'],
      graphs.flatMap(([side, g]) =>
        g.nodes
          .filter((n) => n.kind !== 'user')
          .slice(0, ENTITIES)
          .map((n) => [...(two ? [side] : []), n.label, n.kind, n.posts, n.sentiment.toFixed(3), n.community]),
      ),
      { numeric: two ? [3, 4, 5] : [2, 3, 4] },
    );
    const views = graphs.map(([side, g]) => view(side, g, seed));
    const spec = (views.length === 1 ? { $schema: VEGA_LITE_SCHEMA, ...views[0] } : { $schema: VEGA_LITE_SCHEMA, hconcat: views, resolve: { scale: { color: 'independent', size: 'independent' } } }) as TopLevelSpec;
    return {
      ...base,
      html: `<p class="note">${summary}</p>\n<h3>Largest communities</h3>\n${communities}\n<h3>Commonest entities and #tags</h3>\n${entities}`,
      spec,
    };
  },
};
