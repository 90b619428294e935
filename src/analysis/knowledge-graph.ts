/**
 * The public-opinion knowledge graph of one side's posts (sides.ts). Nodes: the people, places
 * and organisations compromise finds in a post (an entity's identity is its kind and its text
 * trimmed of punctuation and a possessive 's, case-folded; its label is the commonest spelling),
 * its #tags (case-folded), and the users who wrote them. Edges: two entities or #tags in one
 * post co-occur (weight = such posts); a user mentions an entity or #tag (weight = the user's
 * posts naming it), with the user's persona stance when the #tag is one of the persona's stance
 * topics. Every node and edge carries the mean VADER compound score of its posts. Entities and
 * #tags in fewer than MIN_POSTS posts and edges under MIN_WEIGHT are left out, then users left
 * without an edge. Communities: Louvain (graphology) on the undirected weighted graph, its
 * random choices from the experiment's seed, numbered by total posts, largest first.
 * Compromise's tagging costs about 10 µs a character (a millisecond for a short post, several for
 * an LLM's paragraph), so a side is read from a fixed sample in post-id hash order: at most
 * GRAPH_SAMPLE posts and GRAPH_CHARS characters, whichever comes first.
 */
import { createRequire } from 'node:module';
import type nlpFn from 'compromise';
import { UndirectedGraph } from 'graphology';
import * as louvainNs from 'graphology-communities-louvain';
import { Rng } from '../common/rng.js';
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import { compound } from './sentiment.js';
import { sideCondition, type Side } from './sides.js';

export const GRAPH_SAMPLE = 20_000;
export const GRAPH_CHARS = 600_000;
export const MIN_POSTS = 2;
export const MIN_WEIGHT = 2;
const TOP_LABELS = 3;

export type NodeKind = 'person' | 'place' | 'organization' | 'hashtag' | 'user';
export type EdgeKind = 'co_occurs' | 'mentions';

export interface GraphNode {
  /** `<kind>:<case-folded text>`, or `user:<user id>`. */
  id: string;
  kind: NodeKind;
  label: string;
  /** Posts naming the entity or #tag; for a user, its posts naming any. */
  posts: number;
  /** Mean VADER compound score of those posts. */
  sentiment: number;
  community: number;
}

export interface GraphEdge {
  /** For co_occurs the smaller id; for mentions the user. */
  source: string;
  target: string;
  kind: EdgeKind;
  weight: number;
  sentiment: number;
  /** The user's persona stance on the #tag's topic, in [-1, 1]; null when it holds none. */
  stance: number | null;
}

export interface GraphCommunity {
  community: number;
  nodes: number;
  posts: number;
  /** Its TOP_LABELS nodes with the most posts, comma-separated. */
  top_labels: string;
}

export interface KnowledgeGraph {
  /** Posts read, and how many qualified (more when the side was sampled). */
  read: number;
  eligible: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  communities: GraphCommunity[];
}

type LouvainFn = (graph: UndirectedGraph, options: { rng: () => number; getEdgeWeight: string }) => Record<string, number>;
// A CommonJS module whose typings declare a default export: under NodeNext the namespace is what
// tsc sees, the function is `default` at run time (or the namespace itself, depending on the loader).
const louvain = ((louvainNs as unknown as { default?: LouvainFn }).default ?? louvainNs) as unknown as LouvainFn;

type Nlp = typeof nlpFn;
let nlpModule: Promise<Nlp> | undefined;
/**
 * compromise, loaded when a graph is first built: a process that builds none (`run
 * --no-report`, a sweep's child, `list`) does not pay for it. Required, not imported: its
 * CommonJS entry is one bundled file, its ESM entry some 500 modules (0.7 against 1.0 s of
 * CPU to load and first use).
 */
const loadNlp = (): Promise<Nlp> => (nlpModule ??= Promise.resolve(createRequire(import.meta.url)('compromise') as Nlp));

const TAG = /#([\p{L}\p{N}_]+)/gu;
const EDGE_TRIM = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const POSSESSIVE = /['’]s$/iu;

/** An entity's text as its display form: punctuation and a possessive 's trimmed, spaces collapsed. */
export function entityForm(text: string): string {
  return text.replace(EDGE_TRIM, '').replace(POSSESSIVE, '').replace(EDGE_TRIM, '').replace(/\s+/gu, ' ');
}

/** A post's entities and #tags (`nlp`: compromise): node id → the spelling it had there. #tags and @mentions are not entities. */
export function postTerms(nlp: Nlp, text: string): Map<string, string> {
  const found = new Map<string, string>();
  const doc = nlp(text);
  const groups: [NodeKind, string[]][] = [
    ['person', doc.people().out('array') as string[]],
    ['place', doc.places().out('array') as string[]],
    ['organization', doc.organizations().out('array') as string[]],
  ];
  for (const [kind, texts] of groups) {
    for (const raw of texts) {
      if (/^\s*[#@]/u.test(raw)) continue;
      const form = entityForm(raw);
      if (form === '') continue;
      const id = `${kind}:${form.toLowerCase()}`;
      if (!found.has(id)) found.set(id, form);
    }
  }
  for (const m of text.matchAll(TAG)) {
    const tag = m[1]!.toLowerCase();
    if (!found.has(`hashtag:${tag}`)) found.set(`hashtag:${tag}`, `#${tag}`);
  }
  return found;
}

/** A topic name as a #tag would spell it: case-folded, letters and digits only. */
const topicKey = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function stancesOf(json: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!json) return out;
  try {
    const v = JSON.parse(json) as unknown;
    if (v && typeof v === 'object') for (const [t, s] of Object.entries(v)) if (typeof s === 'number') out.set(topicKey(t), s);
  } catch {
    // A persona without a readable stance holds none.
  }
  return out;
}

interface Tally {
  posts: number;
  sum: number;
}
const add = (m: Map<string, Tally>, key: string, s: number): void => {
  const t = m.get(key);
  if (t) {
    t.posts++;
    t.sum += s;
  } else m.set(key, { posts: 1, sum: s });
};

export interface GraphLimits {
  posts: number;
  chars: number;
}

/** The graph of one side's posts; `seed` drives Louvain's random choices. */
export async function knowledgeGraph(db: SimDb, seed: number, side: Side = 'sim', limits: GraphLimits = { posts: GRAPH_SAMPLE, chars: GRAPH_CHARS }): Promise<KnowledgeGraph> {
  return memoized(db, 'knowledgeGraph', [seed, side, limits], () => computeKnowledgeGraph(db, seed, side, limits));
}

async function computeKnowledgeGraph(db: SimDb, seed: number, side: Side = 'sim', limits: GraphLimits = { posts: GRAPH_SAMPLE, chars: GRAPH_CHARS }): Promise<KnowledgeGraph> {
  const eligible = `FROM posts p LEFT JOIN users u ON u.user_id = p.author_id WHERE ${await sideCondition(db, side)}`;
  const count = (await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n ${eligible}`))?.n ?? 0;
  const rows = await db.query<{ author: number; username: string | null; stance: string | null; text: string }>(
    `SELECT post_id, author, username, stance, text FROM (
       SELECT p.post_id::DOUBLE AS post_id, p.author_id::DOUBLE AS author, u.username, json_extract(u.persona, '$.stance')::VARCHAR AS stance, p.text,
              row_number() OVER w AS k, sum(length(p.text)) OVER w AS chars
       ${eligible}
       WINDOW w AS (ORDER BY hash(p.post_id), p.post_id ROWS UNBOUNDED PRECEDING))
     WHERE k <= ${Math.floor(limits.posts)} AND (k = 1 OR chars <= ${Math.floor(limits.chars)})
     ORDER BY post_id`,
  );
  const nlp = await loadNlp();
  // Templated and repeated texts are tagged and scored once.
  const memo = new Map<string, { terms: Map<string, string>; score: number }>();
  const terms = new Map<string, Tally>();
  const spellings = new Map<string, Map<string, number>>();
  const pairs = new Map<string, Tally>();
  const mentions = new Map<string, Tally>();
  const users = new Map<string, { label: string; stance: Map<string, number> } & Tally>();
  for (const r of rows) {
    let m = memo.get(r.text);
    if (!m) memo.set(r.text, (m = { terms: postTerms(nlp, r.text), score: compound(r.text) }));
    if (m.terms.size === 0) continue;
    const s = m.score;
    const ids = [...m.terms.keys()].sort();
    for (const id of ids) {
      add(terms, id, s);
      const forms = spellings.get(id) ?? spellings.set(id, new Map()).get(id)!;
      const form = m.terms.get(id)!;
      forms.set(form, (forms.get(form) ?? 0) + 1);
    }
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) add(pairs, `${ids[i]}\u0001${ids[j]}`, s);
    const user = `user:${r.author}`;
    const u = users.get(user);
    if (u) {
      u.posts++;
      u.sum += s;
    } else users.set(user, { label: `@${r.username ?? r.author}`, stance: stancesOf(r.stance), posts: 1, sum: s });
    for (const id of ids) add(mentions, `${user}\u0001${id}`, s);
  }

  const kept = new Set([...terms].filter(([, t]) => t.posts >= MIN_POSTS).map(([id]) => id));
  const edges: GraphEdge[] = [];
  for (const [key, t] of pairs) {
    const [a, b] = key.split('\u0001') as [string, string];
    if (t.posts >= MIN_WEIGHT && kept.has(a) && kept.has(b)) edges.push({ source: a, target: b, kind: 'co_occurs', weight: t.posts, sentiment: t.sum / t.posts, stance: null });
  }
  const linked = new Set<string>();
  for (const [key, t] of mentions) {
    const [user, id] = key.split('\u0001') as [string, string];
    if (t.posts < MIN_WEIGHT || !kept.has(id)) continue;
    linked.add(user);
    const stance = id.startsWith('hashtag:') ? (users.get(user)!.stance.get(topicKey(id.slice('hashtag:'.length))) ?? null) : null;
    edges.push({ source: user, target: id, kind: 'mentions', weight: t.posts, sentiment: t.sum / t.posts, stance });
  }
  edges.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'co_occurs' ? -1 : 1) || b.weight - a.weight || a.source.localeCompare(b.source) || a.target.localeCompare(b.target));

  const label = (id: string): string => {
    let best = '';
    let n = 0;
    // Insertion order is first-seen order (posts by id), which breaks ties.
    for (const [form, c] of spellings.get(id)!) if (c > n) [best, n] = [form, c];
    return best;
  };
  const nodes: GraphNode[] = [
    ...[...kept].map((id) => {
      const t = terms.get(id)!;
      return { id, kind: id.slice(0, id.indexOf(':')) as NodeKind, label: label(id), posts: t.posts, sentiment: t.sum / t.posts, community: 0 };
    }),
    ...[...linked].map((id) => {
      const u = users.get(id)!;
      return { id, kind: 'user' as const, label: u.label, posts: u.posts, sentiment: u.sum / u.posts, community: 0 };
    }),
  ].sort((a, b) => b.posts - a.posts || a.id.localeCompare(b.id));

  const communities = assignCommunities(nodes, edges, seed, side);
  return { read: rows.length, eligible: count, nodes, edges, communities };
}

/** Louvain over the nodes and edges (weights as given), written into each node; the communities' table. */
function assignCommunities(nodes: GraphNode[], edges: readonly GraphEdge[], seed: number, side: Side): GraphCommunity[] {
  if (nodes.length === 0) return [];
  const g = new UndirectedGraph();
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) g.addNode(n.id);
  for (const e of edges) g.addEdge(e.source, e.target, { weight: e.weight });
  const rng = Rng.derive(seed, 'graph', side);
  const raw = louvain(g, { rng: () => rng.next(), getEdgeWeight: 'weight' });
  // Louvain's numbers are arbitrary: renumber by total posts, largest first (ties by first node id).
  const groups = new Map<number, GraphNode[]>();
  for (const n of nodes) (groups.get(raw[n.id]!) ?? groups.set(raw[n.id]!, []).get(raw[n.id]!)!).push(n);
  const ordered = [...groups.values()]
    .map((members) => ({ members, posts: members.reduce((s, n) => s + n.posts, 0), first: members.map((n) => n.id).sort()[0]! }))
    .sort((a, b) => b.posts - a.posts || a.first.localeCompare(b.first));
  return ordered.map(({ members, posts }, i) => {
    for (const n of members) n.community = i + 1;
    // Nodes are sorted by posts already, so members are too.
    return { community: i + 1, nodes: members.length, posts, top_labels: members.slice(0, TOP_LABELS).map((n) => n.label).join(', ') };
  });
}
