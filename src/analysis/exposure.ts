/**
 * Echo chambers, measured: how often agents are shown (and like) posts by accounts on the
 * other side of a topic they hold a stance on. Stances come from generated personas
 * (`dataset.generate.stance_topics`, users.persona.stance in [-1, 1]).
 */
import type { SimDb } from './open.js';

/** Stances closer to 0 than this count as undecided, on neither side. */
export const DECIDED = 0.2;

export interface CrossCuttingRow {
  step: number;
  topic: string;
  /** 'shown' (impressions from every source) or 'liked' (likes given in the step). */
  kind: 'shown' | 'liked';
  /** Of the posts between decided viewers and decided authors, the share across sides. */
  share: number;
  /** Those posts: the share's denominator. */
  posts: number;
}

/**
 * Per step, topic and kind, the cross-cutting share: among posts shown to (or liked by) an
 * agent with a decided stance on the topic, written by an account with a decided stance on
 * it, the share where the two stances have opposite signs. Low shares are echo chambers;
 * for comparison, random exposure gives about the population's mix. Empty without stances.
 */
/** Events (shown, liked) between a decided viewer and a decided author on a topic, and whether their sides differ. */
const PAIRS = `
    WITH stance AS (
      SELECT user_id, k AS topic, CAST(json_extract_string(persona, '$.stance."' || k || '"') AS DOUBLE) AS stance
      FROM users, unnest(json_keys(persona, '$.stance')) AS s(k)
      WHERE json_type(persona, '$.stance') = 'OBJECT'
    ),
    decided AS (SELECT * FROM stance WHERE abs(stance) >= ${DECIDED}),
    events AS (
      SELECT step, agent_id AS viewer, post_id, 'shown' AS kind FROM impressions
      UNION ALL
      SELECT created_step, user_id, post_id, 'liked' FROM likes
    ),
    pairs AS (
      SELECT e.step, v.topic, e.kind, CASE WHEN sign(v.stance) <> sign(a.stance) THEN 1 ELSE 0 END AS crossing
      FROM events e
      JOIN posts p ON p.post_id = e.post_id
      JOIN decided v ON v.user_id = e.viewer
      JOIN decided a ON a.user_id = p.author_id AND a.topic = v.topic
      WHERE p.author_id <> e.viewer
    )`;

export function crossCuttingExposure(db: SimDb): Promise<CrossCuttingRow[]> {
  return db.query<CrossCuttingRow>(`${PAIRS}
    SELECT step::INTEGER AS step, topic, kind, avg(crossing)::DOUBLE AS share, count(*)::INTEGER AS posts
    FROM pairs GROUP BY ALL ORDER BY step, topic, kind`);
}

/** The run's cross-cutting shares over every step and topic (each pair counted once); null without stances. */
export async function crossCuttingTotals(db: SimDb): Promise<{ shown: number | null; liked: number | null }> {
  const row = await db.one<{ shown: number | null; liked: number | null }>(`${PAIRS}
    SELECT avg(crossing) FILTER (WHERE kind = 'shown')::DOUBLE AS shown, avg(crossing) FILTER (WHERE kind = 'liked')::DOUBLE AS liked FROM pairs`);
  return { shown: row?.shown ?? null, liked: row?.liked ?? null };
}
