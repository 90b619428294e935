/**
 * Real cascades from the experiment's dataset (`real_cascades`: explicit parents, delays in
 * seconds), as trees with depths; curves.ts reads them like simulated ones.
 *
 * Datasets are messy, so the tree is read defensively (all in SQL: real sets can be large):
 * - A user counts once per cascade, at their earliest row (Twitter15/16 trees repeat users).
 * - The root is the row with no parent (the earliest if several); other parentless rows, rows
 *   whose parent is not in the cascade, and rows that name themselves hang off the root.
 * - Nodes that still do not reach the root (a parent cycle) are put at depth 1.
 * - Time is the delay after the cascade's earliest row (normally the root at 0 s).
 */
import type { SimDb } from './open.js';

export interface RealDataCounts {
  /** Distinct cascade ids in real_cascades. */
  cascades: number;
  cascade_rows: number;
  posts: number;
  follows: number;
}

/** Row counts of the reference tables; 0 for a table the database lacks (runs older than them). */
export async function realDataCounts(db: SimDb): Promise<RealDataCounts> {
  const present = new Set(
    (
      await db.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_catalog = current_database() AND table_name IN ('real_cascades', 'real_posts', 'real_follows')`,
      )
    ).map((r) => r.name),
  );
  const count = async (sql: string): Promise<number> => (await db.one<{ n: number }>(sql))?.n ?? 0;
  return {
    cascades: present.has('real_cascades') ? await count('SELECT count(DISTINCT cascade_id)::INTEGER AS n FROM real_cascades') : 0,
    cascade_rows: present.has('real_cascades') ? await count('SELECT count(*)::INTEGER AS n FROM real_cascades') : 0,
    posts: present.has('real_posts') ? await count('SELECT count(*)::INTEGER AS n FROM real_posts') : 0,
    follows: present.has('real_follows') ? await count('SELECT count(*)::INTEGER AS n FROM real_follows') : 0,
  };
}

/**
 * CTEs for a `WITH RECURSIVE` list ending in `r_nodes(cid, node_id, parent, t, depth)`: one row
 * per user of each real cascade, `t` in seconds after the cascade's start.
 */
export const REAL_CASCADE_CTES = `
  r_dedup AS MATERIALIZED (
    SELECT cascade_id AS cid, node_id, parent_id, delay_s - min(delay_s) OVER (PARTITION BY cascade_id) AS t,
           row_number() OVER () AS id
    FROM real_cascades
    QUALIFY row_number() OVER (PARTITION BY cascade_id, node_id ORDER BY delay_s, parent_id IS NOT NULL, parent_id) = 1),
  r_root AS (
    SELECT cid, node_id, id FROM r_dedup WHERE parent_id IS NULL
    QUALIFY row_number() OVER (PARTITION BY cid ORDER BY t, node_id) = 1),
  r_edges AS MATERIALIZED (
    SELECT n.cid, n.node_id, n.id, n.t,
           CASE WHEN n.id = r.id THEN NULL WHEN p.id IS NULL OR p.id = n.id THEN r.id ELSE p.id END AS parent,
           CASE WHEN n.id = r.id THEN NULL WHEN p.id IS NULL OR p.id = n.id THEN r.node_id ELSE p.node_id END AS parent_node
    FROM r_dedup n
    LEFT JOIN r_root r ON r.cid = n.cid
    LEFT JOIN r_dedup p ON p.cid = n.cid AND p.node_id = n.parent_id),
  -- integer ids keep the recursive join cheap on large datasets
  r_depths AS (
    SELECT id, 0 AS depth FROM r_root
    UNION ALL
    SELECT e.id, d.depth + 1 FROM r_edges e JOIN r_depths d ON e.parent = d.id),
  r_nodes AS MATERIALIZED (
    SELECT e.cid, e.node_id, e.parent_node AS parent, e.t, coalesce(d.depth, 1) AS depth
    FROM r_edges e LEFT JOIN r_depths d ON d.id = e.id)`;

export interface RealCascadeNode {
  cascade_id: string;
  node_id: string;
  parent: string | null;
  /** Seconds after the cascade's start. */
  t: number;
  depth: number;
}

const NODES_SQL = `WITH RECURSIVE ${REAL_CASCADE_CTES}
     SELECT cid AS cascade_id, node_id, parent, t::DOUBLE AS t, depth::INTEGER AS depth
     FROM r_nodes ORDER BY cid, t, depth, node_id`;

/** Every node of every real cascade with its depth, by cascade then time. */
export function realCascadeNodes(db: SimDb): Promise<RealCascadeNode[]> {
  return db.query<RealCascadeNode>(NODES_SQL);
}

/**
 * The same nodes as numbers, in the same order, for large datasets: `cascade` indexes `ids`
 * (the cascade ids, by id), `parent` is the row (within the whole result) of the node's parent,
 * NaN for the root.
 */
export async function realCascadeColumns(db: SimDb): Promise<{ ids: string[]; cascade: Float64Array; parent: Float64Array; t: Float64Array; depth: Float64Array }> {
  const cols = await db.numbers(
    `WITH RECURSIVE ${REAL_CASCADE_CTES},
     ordered AS (SELECT cid, node_id, parent, t, depth, row_number() OVER (ORDER BY cid, t, depth, node_id) - 1 AS r, dense_rank() OVER (ORDER BY cid) - 1 AS c FROM r_nodes)
     SELECT o.c::DOUBLE AS cascade, p.r::DOUBLE AS parent, o.t::DOUBLE AS t, o.depth::DOUBLE AS depth
     FROM ordered o LEFT JOIN ordered p ON p.cid = o.cid AND p.node_id = o.parent
     ORDER BY o.r`,
  );
  const ids = (await db.query<{ id: string }>('SELECT DISTINCT cascade_id AS id FROM real_cascades ORDER BY id')).map((r) => r.id);
  return { ids, cascade: cols['cascade']!, parent: cols['parent']!, t: cols['t']!, depth: cols['depth']! };
}
