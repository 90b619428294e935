/**
 * The two sides every text analysis reads: what the agents wrote during the run ("sim") and the
 * real posts the dataset brought in ("real": the opening posts imported from dataset.posts or a
 * user file's previous_posts, recorded in `dataset_posts`). Both exclude reposts (no text of
 * their own) and empty texts, so the same code measures either side.
 */
import type { SimDb } from './open.js';

export type Side = 'sim' | 'real';
export const SIDES: readonly Side[] = ['sim', 'real'];

/** The last opening post's id (meta `opening_posts`; 0 when the run has none or predates it). */
export async function openingPostsUpTo(db: SimDb): Promise<number> {
  const row = await db.one<{ v: string }>(`SELECT value AS v FROM meta WHERE key = 'opening_posts'`);
  const n = row ? Number(row.v) : 0;
  return Number.isFinite(n) ? Math.floor(n) : 0;
}

/**
 * A WHERE condition over `posts p LEFT JOIN users u ON u.user_id = p.author_id` choosing a
 * side's authored posts. Sim: agents' posts after the opening ones (seed accounts' scripted
 * posts and the herding voter are not agents). Real: posts listed in dataset_posts.
 */
export async function sideCondition(db: SimDb, side: Side): Promise<string> {
  const authored = `p.text <> '' AND p.kind <> 'repost'`;
  if (side === 'real') return `${authored} AND p.post_id IN (SELECT post_id FROM dataset_posts)`;
  return `${authored} AND p.post_id > ${await openingPostsUpTo(db)} AND coalesce(u.kind, 'agent') = 'agent'`;
}

/** Whether the run holds real posts to compare with (a dataset with texts was loaded). */
export async function hasRealPosts(db: SimDb): Promise<boolean> {
  // Runs made before dataset_posts existed lack the table (analysis opens files read-only).
  const table = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_catalog = current_database() AND table_name = 'dataset_posts'`);
  if ((table?.n ?? 0) === 0) return false;
  return ((await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM dataset_posts`))?.n ?? 0) > 0;
}

/**
 * SQL for when a real post was made: its time in the dataset (`dataset_posts.real_time`, joined
 * as `d`) where the file gave one, else when it opened the run. Runs recorded before the column
 * existed have only the latter.
 */
export async function realTimeSql(db: SimDb): Promise<string> {
  const col = await db.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_catalog = current_database() AND table_name = 'dataset_posts' AND column_name = 'real_time'`,
  );
  return (col?.n ?? 0) > 0 ? 'coalesce(d.real_time, p.created_at)' : 'p.created_at';
}

/**
 * The FROM clause and step expression that place one side's posts on steps: agents' posts on
 * the step they were written; real posts by their time in the dataset on steps of the run's
 * length (`stepMs`), counted from the first real post, so their own time gives the axis. The
 * FROM clause binds `p` (posts) and `u` (users), as `sideCondition` expects.
 */
export async function sideSteps(db: SimDb, side: Side, stepMs: number): Promise<{ from: string; step: string }> {
  if (side === 'sim') return { from: 'posts p LEFT JOIN users u ON u.user_id = p.author_id', step: 'p.created_step' };
  const at = await realTimeSql(db);
  return {
    from: 'posts p LEFT JOIN users u ON u.user_id = p.author_id LEFT JOIN dataset_posts d ON d.post_id = p.post_id',
    step: `floor(epoch_ms(${at} - (min(${at}) OVER ())) / ${Math.max(1, Math.round(stepMs))})::INTEGER`,
  };
}
