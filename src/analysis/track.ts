/**
 * Which posts' repost cascades the reports follow, and why: the researcher says so in
 * `analysis.track` (labels, seed accounts, the N most reposted, ids) or in the dataset (a
 * `track` column), and the source post of every real cascade is followed so the two can be
 * compared. Runs older than these tables are read as if they were empty.
 */
import type { SimDb } from './open.js';
import type { TrackSettings } from './settings.js';

export type TrackReason = 'label' | 'seed' | 'top' | 'listed' | 'dataset' | 'paired';

export interface TrackedPost {
  post_id: number;
  author_id: number;
  /** Username of the author (`#<id>` when the users table lacks them). */
  author: string;
  label: string | null;
  kind: string;
  text: string;
  created_step: number;
  /** Simulated creation time, ISO-8601. */
  created_at: string;
  /** The post's id in dataset.posts, for opening posts imported from it. */
  dataset_id: string | null;
  /** Real cascades (dataset.cascades) whose source this post is. */
  cascades: string[];
  reasons: TrackReason[];
}

/** Tables and columns a run's file has ("table.column"): older runs lack the newer ones. */
export async function columnsOf(db: SimDb): Promise<Set<string>> {
  const rows = await db.query<{ c: string }>(`SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_catalog = current_database()`);
  return new Set(rows.map((r) => r.c));
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const list = (items: readonly string[]): string => (items.length > 0 ? items.map(quote).join(', ') : 'NULL');

/**
 * CTEs (for a WITH list) giving `t_pairs(cascade_id, post_id)`: each real cascade with the
 * opening post it was seeded from — its `source_post`, or by default a dataset post whose id
 * is the cascade's id (Twitter15/16 trees are named after their source tweet).
 */
export function pairCtes(columns: ReadonlySet<string>): string {
  if (!columns.has('dataset_posts.dataset_id') || !columns.has('real_cascades.cascade_id')) {
    return 't_pairs AS (SELECT NULL::VARCHAR AS cascade_id, NULL::BIGINT AS post_id WHERE false)';
  }
  const source = columns.has('real_cascades.source_post') ? 'coalesce(any_value(source_post) FILTER (WHERE source_post IS NOT NULL), cascade_id)' : 'cascade_id';
  return `t_sources AS (SELECT cascade_id, ${source} AS source FROM real_cascades GROUP BY cascade_id),
    t_pairs AS (SELECT s.cascade_id, d.post_id FROM t_sources s JOIN dataset_posts d ON d.dataset_id = s.source)`;
}

/** The tracked posts, by post id, each with every reason that applies. */
export async function trackedPosts(db: SimDb, track: TrackSettings, columns?: ReadonlySet<string>): Promise<TrackedPost[]> {
  const cols = columns ?? (await columnsOf(db));
  const hasDataset = cols.has('dataset_posts.dataset_id');
  const dataset = hasDataset ? 'dataset_posts' : '(SELECT NULL::BIGINT AS post_id, NULL::VARCHAR AS dataset_id, false AS track WHERE false)';
  const labelled = track.labels === null ? 'p.label IS NOT NULL' : track.labels.length > 0 ? `p.label IN (${list(track.labels)})` : 'false';
  const listed = track.posts.length > 0 ? `p.post_id IN (${track.posts.map((n) => Math.floor(n)).join(', ')})` : 'false';
  const byDataset = `coalesce(d.track, false)${track.datasetPosts.length > 0 ? ` OR d.dataset_id IN (${list(track.datasetPosts)})` : ''}`;
  const rows = await db.query<Omit<TrackedPost, 'reasons' | 'cascades'> & { cascades: string | null; r_label: boolean; r_seed: boolean; r_top: boolean; r_listed: boolean; r_dataset: boolean; r_paired: boolean }>(
    `WITH ${pairCtes(cols)},
     t_users AS (SELECT user_id, any_value(kind) AS kind, any_value(username) AS username FROM users GROUP BY user_id),
     t_counts AS (SELECT post_id, count(DISTINCT user_id) AS n FROM reposts GROUP BY post_id),
     t_top AS (SELECT p.post_id FROM posts p JOIN t_counts c ON c.post_id = p.post_id WHERE p.kind = 'original' ORDER BY c.n DESC, p.post_id LIMIT ${Math.max(0, Math.floor(track.top))}),
     t_paired AS (SELECT post_id, string_agg(cascade_id, '\u0001' ORDER BY cascade_id) AS cascades FROM t_pairs GROUP BY post_id),
     t_all AS (
       SELECT p.post_id, p.author_id, coalesce(u.username, '#' || p.author_id::VARCHAR) AS author, p.label, p.kind, p.text,
              p.created_step, strftime(p.created_at, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' AS created_at, d.dataset_id, pr.cascades,
              coalesce(${labelled}, false) AS r_label,
              ${track.seeds ? "coalesce(u.kind = 'seed', false)" : 'false'} AS r_seed,
              p.post_id IN (SELECT post_id FROM t_top) AS r_top,
              ${listed} AS r_listed,
              coalesce(${byDataset}, false) AS r_dataset,
              pr.post_id IS NOT NULL AS r_paired
       FROM posts p LEFT JOIN t_users u ON u.user_id = p.author_id
       LEFT JOIN ${dataset} d ON d.post_id = p.post_id
       LEFT JOIN t_paired pr ON pr.post_id = p.post_id
       WHERE p.kind <> 'repost')
     SELECT post_id::DOUBLE AS post_id, author_id, author, label, kind, text, created_step::INTEGER AS created_step, created_at, dataset_id, cascades,
            r_label, r_seed, r_top, r_listed, r_dataset, r_paired
     FROM t_all WHERE r_label OR r_seed OR r_top OR r_listed OR r_dataset OR r_paired ORDER BY post_id`,
  );
  return rows.map(({ r_label, r_seed, r_top, r_listed, r_dataset, r_paired, cascades, ...p }) => ({
    ...p,
    cascades: cascades === null ? [] : cascades.split('\u0001'),
    reasons: (
      [
        [r_label, 'label'],
        [r_seed, 'seed'],
        [r_top, 'top'],
        [r_listed, 'listed'],
        [r_dataset, 'dataset'],
        [r_paired, 'paired'],
      ] as const
    ).flatMap(([on, reason]) => (on ? [reason] : [])),
  }));
}
