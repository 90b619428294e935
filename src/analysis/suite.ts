/**
 * The analysis suite: each analysis reads a run's sim.duckdb and yields tables, which
 * `socialsim analyze` (and `run`, for the analyses the experiment enables) stores in the run's
 * analysis.duckdb. The report's sections compute from the same functions, so both agree.
 */
import type { Cell, SimDb } from './open.js';
import { hotNews } from './clusters.js';
import { knowledgeGraph } from './knowledge-graph.js';
import { personaFit } from './persona-fit.js';
import { sentiment, type SentimentSummary } from './sentiment.js';
import type { AnalysisSettings } from './settings.js';
import { hasRealPosts, type Side } from './sides.js';
import { similarity } from './similarity.js';
import { stance } from './stance.js';
import { DEFAULT_TREND_WINDOW, trends } from './trends.js';

export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BOOLEAN';

/** One result table: its columns in order with their SQL types, and its rows. */
export interface AnalysisTable {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly rows: readonly Readonly<Record<string, Cell>>[];
}

export interface Analysis {
  readonly name: string;
  /** One line for `analyze --help`, the README and the analyses table. */
  readonly description: string;
  compute(db: SimDb, settings: AnalysisSettings): Promise<AnalysisTable[]>;
}

const SUMMARY: Record<keyof SentimentSummary, ColumnType> = { posts: 'INTEGER', mean: 'DOUBLE', positive: 'DOUBLE', neutral: 'DOUBLE', negative: 'DOUBLE' };

/** NaN (an undefined measure, e.g. a divergence with an empty side) is stored as NULL. */
const cells = <T extends object>(rows: readonly T[]): Record<string, Cell>[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && Number.isNaN(v) ? null : (v as Cell)])));

async function sidesOf(db: SimDb): Promise<Side[]> {
  return (await hasRealPosts(db)) ? ['sim', 'real'] : ['sim'];
}

/**
 * `tablesOf(side)` for the agents' posts and, when the run has them, the dataset's real ones,
 * stacked table by table under a leading `side` column.
 */
async function bySide(db: SimDb, tablesOf: (side: Side) => Promise<AnalysisTable[]>): Promise<AnalysisTable[]> {
  const stacked = new Map<string, { columns: Record<string, ColumnType>; rows: Record<string, Cell>[] }>();
  for (const side of await sidesOf(db)) {
    for (const t of await tablesOf(side)) {
      const into = stacked.get(t.name) ?? stacked.set(t.name, { columns: { side: 'VARCHAR', ...t.columns }, rows: [] }).get(t.name)!;
      into.rows.push(...t.rows.map((r) => ({ side, ...r })));
    }
  }
  return [...stacked].map(([name, t]) => ({ name, ...t }));
}

export const ANALYSES: readonly Analysis[] = [
  {
    name: 'trends',
    description: "hashtag and word counts per step and cohort, bursts against a trailing window (Poisson z-score), top rising terms per window; the dataset's real posts on steps of the run's length from the first of them",
    compute: (db, settings) =>
      bySide(db, async (side): Promise<AnalysisTable[]> => {
        const t = await trends(db, DEFAULT_TREND_WINDOW, side, settings.stepMs);
        return [
          { name: 'trend_counts', columns: { step: 'INTEGER', cohort: 'VARCHAR', kind: 'VARCHAR', term: 'VARCHAR', count: 'INTEGER' }, rows: cells(t.counts) },
          { name: 'trend_bursts', columns: { step: 'INTEGER', kind: 'VARCHAR', term: 'VARCHAR', count: 'INTEGER', expected: 'DOUBLE', z: 'DOUBLE' }, rows: cells(t.bursts) },
          { name: 'trend_rising', columns: { from_step: 'INTEGER', kind: 'VARCHAR', term: 'VARCHAR', count: 'INTEGER', previous: 'INTEGER', growth: 'INTEGER' }, rows: cells(t.rising) },
        ];
      }),
  },
  {
    name: 'sentiment',
    description: "VADER compound score of each post: overall, per step and cohort, per #topic, in tracked posts' reply threads; agents' posts and the dataset's real ones",
    compute: (db, settings) =>
      bySide(db, async (side): Promise<AnalysisTable[]> => {
        const s = await sentiment(db, settings.track, side);
        return [
          { name: 'sentiment_overall', columns: { scored: 'INTEGER', eligible: 'INTEGER', ...SUMMARY }, rows: [{ scored: s.scored, eligible: s.eligible, ...s.overall }] },
          { name: 'sentiment_by_step', columns: { step: 'INTEGER', cohort: 'VARCHAR', ...SUMMARY }, rows: cells(s.byStep) },
          { name: 'sentiment_by_topic', columns: { topic: 'VARCHAR', ...SUMMARY }, rows: cells(s.byTopic) },
          { name: 'sentiment_replies', columns: { post_id: 'INTEGER', author: 'VARCHAR', label: 'VARCHAR', ...SUMMARY }, rows: cells(s.replies) },
        ];
      }),
  },
  {
    name: 'similarity',
    description: "similarity to the dataset's real users: style features by Jensen–Shannon divergence, activity by KS distance, a detector's cross-validated AUC",
    async compute(db): Promise<AnalysisTable[]> {
      const s = await similarity(db);
      return [
        { name: 'similarity_style', columns: { cohort: 'VARCHAR', feature: 'VARCHAR', jsd: 'DOUBLE', sim_mean: 'DOUBLE', real_mean: 'DOUBLE', sim_posts: 'INTEGER', real_posts: 'INTEGER' }, rows: cells(s.style) },
        { name: 'similarity_activity', columns: { measure: 'VARCHAR', ks: 'DOUBLE', sim_n: 'INTEGER', real_n: 'INTEGER', sim_median: 'DOUBLE', real_median: 'DOUBLE' }, rows: cells(s.activity) },
        { name: 'similarity_detector', columns: { cohort: 'VARCHAR', auc: 'DOUBLE', sim_posts: 'INTEGER', real_posts: 'INTEGER' }, rows: cells(s.detector) },
      ];
    },
  },
  {
    name: 'clusters',
    description: "hot news: per trends window, posts clustered by seeded spherical k-means on TF-IDF vectors, each cluster labelled by its top terms and ranked by growth, with its posts per step; agents' posts and the dataset's real ones (on steps of the run's length from the first of them)",
    compute: (db, settings) =>
      bySide(db, async (side): Promise<AnalysisTable[]> => {
        const h = await hotNews(db, settings.seed ?? 0, DEFAULT_TREND_WINDOW, side, settings.stepMs);
        return [
          { name: 'news_clusters', columns: { from_step: 'INTEGER', rank: 'INTEGER', label: 'VARCHAR', posts: 'INTEGER', growth: 'INTEGER', first_step: 'INTEGER', peak_step: 'INTEGER' }, rows: cells(h.clusters) },
          { name: 'news_cluster_steps', columns: { from_step: 'INTEGER', rank: 'INTEGER', step: 'INTEGER', posts: 'INTEGER' }, rows: cells(h.steps) },
        ];
      }),
  },
  {
    name: 'persona',
    description: "posts versus persona per cohort: TF-IDF cosine of each agent's posts with its persona against another agent's, and a nearest-centroid classifier's cross-validated accuracy at the persona's topic against chance; agents' posts and the dataset's real posts against their accounts' profiles",
    compute: (db) =>
      bySide(db, async (side): Promise<AnalysisTable[]> => [
        { name: 'persona_fit', columns: { cohort: 'VARCHAR', agents: 'INTEGER', similarity: 'DOUBLE', baseline: 'DOUBLE', accuracy: 'DOUBLE', chance: 'DOUBLE' }, rows: cells(await personaFit(db, side)) },
      ]),
  },
  {
    name: 'graph',
    description: 'public-opinion knowledge graph: people, places, organisations (compromise), #tags and users as nodes; co-occurrence and user→entity edges with sentiment and stance; Louvain communities (seeded)',
    compute: (db, settings) =>
      bySide(db, async (side): Promise<AnalysisTable[]> => {
        const g = await knowledgeGraph(db, settings.seed ?? 0, side);
        return [
          { name: 'graph_nodes', columns: { id: 'VARCHAR', kind: 'VARCHAR', label: 'VARCHAR', posts: 'INTEGER', sentiment: 'DOUBLE', community: 'INTEGER' }, rows: cells(g.nodes) },
          { name: 'graph_edges', columns: { source: 'VARCHAR', target: 'VARCHAR', kind: 'VARCHAR', weight: 'INTEGER', sentiment: 'DOUBLE', stance: 'DOUBLE' }, rows: cells(g.edges) },
          { name: 'graph_communities', columns: { community: 'INTEGER', nodes: 'INTEGER', posts: 'INTEGER', top_labels: 'VARCHAR' }, rows: cells(g.communities) },
        ];
      }),
  },
  {
    name: 'stance',
    description: "public opinion: each post's stance (for, against, neutral) on the experiment's stance topics by a classifier trained on agents whose stance is known (held-out accuracy against chance); shares per step and cohort on both sides; agreement with survey answers; with analysis.stance.judge, the same by an LLM judge (answers cached by request hash)",
    async compute(db, settings): Promise<AnalysisTable[]> {
      const s = await stance(db, settings);
      return [
        { name: 'stance_model', columns: { topic: 'VARCHAR', method: 'VARCHAR', accuracy: 'DOUBLE', chance: 'DOUBLE', train_posts: 'INTEGER' }, rows: cells(s.model) },
        {
          name: 'stance_by_step',
          columns: { side: 'VARCHAR', step: 'INTEGER', cohort: 'VARCHAR', topic: 'VARCHAR', method: 'VARCHAR', posts: 'INTEGER', for_share: 'DOUBLE', against_share: 'DOUBLE', neutral_share: 'DOUBLE' },
          rows: cells(s.byStep),
        },
        { name: 'stance_surveys', columns: { survey: 'VARCHAR', topic: 'VARCHAR', method: 'VARCHAR', agents: 'INTEGER', agreement: 'DOUBLE' }, rows: cells(s.surveys) },
        {
          name: 'stance_judged',
          columns: { side: 'VARCHAR', topic: 'VARCHAR', post_id: 'INTEGER', label: 'VARCHAR', request_hash: 'VARCHAR', error: 'VARCHAR' },
          rows: cells(s.judged),
        },
        {
          name: 'stance_judge_calls',
          columns: { topic: 'VARCHAR', request_hash: 'VARCHAR', outcome: 'VARCHAR', attempts: 'INTEGER', latency_ms: 'INTEGER', prompt_tokens: 'INTEGER', completion_tokens: 'INTEGER' },
          rows: cells(s.calls),
        },
      ];
    },
  },
];

export const ANALYSIS_NAMES: readonly string[] = ANALYSES.map((a) => a.name);
