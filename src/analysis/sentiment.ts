/**
 * Sentiment of what agents wrote, scored by VADER (Hutto & Gilbert 2014; the scorer Y Social
 * uses, so figures compare): each post's compound score in [−1, 1], positive at ≥ 0.05 and
 * negative at ≤ −0.05 (VADER's own thresholds). Posts written during the run (originals,
 * quotes and replies; opening posts, imported before step 0, are left out), summarised per step
 * and cohort, per #topic, and for the replies to each tracked post; the same for the dataset's
 * real posts (sides.ts), where steps mean little (they all open the run).
 */
import vader from 'vader-sentiment';
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import type { TrackSettings } from './settings.js';
import { sideCondition, type Side } from './sides.js';
import { trackedPosts } from './track.js';

export const POSITIVE = 0.05;
export const NEGATIVE = -0.05;
/**
 * At most this many posts are scored (VADER reads ~3,000–14,000 texts a second here): a larger
 * run is summarised from a uniform sample of this size, the same sample every time (by a hash of
 * the post id), and says so.
 */
export const SENTIMENT_SAMPLE = 100_000;

/** VADER's compound score of a text. */
export function compound(text: string): number {
  return vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}

/** Mean and shares of a set of scores. */
export interface SentimentSummary {
  posts: number;
  mean: number;
  positive: number;
  neutral: number;
  negative: number;
}

export interface StepSentiment extends SentimentSummary {
  step: number;
  cohort: string;
}

export interface TopicSentiment extends SentimentSummary {
  topic: string;
}

export interface ReplySentiment extends SentimentSummary {
  post_id: number;
  author: string;
  label: string | null;
}

export interface Sentiment {
  /** Posts the summaries cover, and how many qualified (more when the run was sampled). */
  scored: number;
  eligible: number;
  overall: SentimentSummary;
  byStep: StepSentiment[];
  byTopic: TopicSentiment[];
  /** Replies in the threads of tracked posts, per tracked post that has any. */
  replies: ReplySentiment[];
}

function summary(scores: readonly number[]): SentimentSummary {
  const n = scores.length;
  let sum = 0;
  let pos = 0;
  let neg = 0;
  for (const s of scores) {
    sum += s;
    if (s >= POSITIVE) pos++;
    else if (s <= NEGATIVE) neg++;
  }
  return n === 0 ? { posts: 0, mean: 0, positive: 0, neutral: 0, negative: 0 } : { posts: n, mean: sum / n, positive: pos / n, neutral: (n - pos - neg) / n, negative: neg / n };
}

const TAG = /#([\p{L}\p{N}_]+)/gu;

/** The sentiment of one side's posts (agents' by default), `track` choosing whose reply threads are summarised. */
export async function sentiment(db: SimDb, track: TrackSettings, side: Side = 'sim'): Promise<Sentiment> {
  return memoized(db, 'sentiment', [track, side], () => computeSentiment(db, track, side));
}

async function computeSentiment(db: SimDb, track: TrackSettings, side: Side = 'sim'): Promise<Sentiment> {
  const eligible = `FROM posts p LEFT JOIN users u ON u.user_id = p.author_id WHERE ${await sideCondition(db, side)}`;
  const count = (await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n ${eligible}`))?.n ?? 0;
  const rows = await db.query<{ post_id: number; step: number; cohort: string; text: string; kind: string; root_id: number | null }>(
    `SELECT * FROM (
       SELECT p.post_id::DOUBLE AS post_id, p.created_step AS step, coalesce(u.cohort, '?') AS cohort, p.text, p.kind, p.root_id::DOUBLE AS root_id
       ${eligible} ${count > SENTIMENT_SAMPLE ? `ORDER BY hash(p.post_id) LIMIT ${SENTIMENT_SAMPLE}` : ''})
     ORDER BY post_id`,
  );
  // Templated and repeated texts are scored once.
  const memo = new Map<string, number>();
  const score = (text: string): number => {
    let s = memo.get(text);
    if (s === undefined) memo.set(text, (s = compound(text)));
    return s;
  };
  const all: number[] = [];
  const steps = new Map<string, { step: number; cohort: string; scores: number[] }>();
  const topics = new Map<string, number[]>();
  const threads = new Map<number, number[]>();
  for (const r of rows) {
    const s = score(r.text);
    all.push(s);
    const key = `${r.step}\u0001${r.cohort}`;
    (steps.get(key) ?? steps.set(key, { step: r.step, cohort: r.cohort, scores: [] }).get(key)!).scores.push(s);
    for (const tag of new Set([...r.text.matchAll(TAG)].map((m) => m[1]!.toLowerCase()))) (topics.get(tag) ?? topics.set(tag, []).get(tag)!).push(s);
    if (r.kind === 'comment' && r.root_id !== null) (threads.get(r.root_id) ?? threads.set(r.root_id, []).get(r.root_id)!).push(s);
  }
  const tracked = await trackedPosts(db, track);
  return {
    scored: rows.length,
    eligible: count,
    overall: summary(all),
    byStep: [...steps.values()].map(({ step, cohort, scores }) => ({ step, cohort, ...summary(scores) })).sort((a, b) => a.step - b.step || a.cohort.localeCompare(b.cohort)),
    byTopic: [...topics].map(([topic, scores]) => ({ topic, ...summary(scores) })).sort((a, b) => b.posts - a.posts || a.topic.localeCompare(b.topic)),
    replies: tracked.flatMap((t) => {
      const scores = threads.get(t.post_id);
      return scores ? [{ post_id: t.post_id, author: t.author, label: t.label, ...summary(scores) }] : [];
    }),
  };
}
