/**
 * Classification of public opinion: each post's stance (for, against, neutral) on the
 * experiment's stance topics (`dataset.generate.stance_topics`, which generated personas hold
 * as `persona.stance`), on both sides (agents' posts and the dataset's real ones).
 *
 * A post is about a topic when it names it: every word of the topic, or the topic as one #tag
 * (`#climatebill` for "climate bill"). Offline, posts are labelled by the nearest-centroid
 * classifier of stance-classifier.ts, trained on the posts of agents with a decided stance and
 * scored out of fold by author; the real side is scored by the same folds' models (trained on
 * agents only). Then: shares per step, cohort and topic, and, where a survey's question names a
 * topic, how often an agent's answer agrees with the majority of its classified posts.
 */
import { tokenize } from '../channel/search-index.js';
import type { SimDb } from './open.js';
import type { AnalysisSettings } from './settings.js';
import { hasRealPosts, sideCondition, type Side } from './sides.js';
import { heldOutAccuracy, knownSide, labelOf, outOfFoldMargins, type StanceLabel } from './stance-classifier.js';
import { judgePosts, JUDGE_POSTS, type JudgeCall, type JudgeSettings } from './stance-judge.js';
import { tfidfVectors } from './tfidf-vectors.js';
import { modelSettingsFromConfig } from '../llm/settings.js';
import { budgetGateFor } from '../engine/budget.js';

/** At most this many posts per topic and side (a fixed sample by post-id hash). */
export const POSTS_PER_TOPIC = 20_000;
/** A survey's scale when the run's experiment does not say (the schema's default). */
export const DEFAULT_SCALE = { min: 1, max: 7 } as const;
export const CENTROID = 'centroid';

export interface TopicPost {
  readonly side: Side;
  readonly postId: number;
  readonly author: number;
  readonly step: number;
  readonly cohort: string;
  readonly text: string;
  /** The author's persona stance on the topic (sim side), null when it holds none. */
  readonly stance: number | null;
}

export interface StanceModelRow {
  topic: string;
  method: string;
  accuracy: number;
  chance: number;
  train_posts: number;
}

export interface StanceStepRow {
  side: Side;
  step: number;
  cohort: string;
  topic: string;
  method: string;
  posts: number;
  for_share: number;
  against_share: number;
  neutral_share: number;
}

export interface StanceSurveyRow {
  survey: string;
  topic: string;
  method: string;
  /** Agents with a decided answer (off the scale's midpoint) and a decided majority of classified posts. */
  agents: number;
  /** Of those, the share whose answer and posts are on the same side. */
  agreement: number;
}

/** One post put to the LLM judge. */
export interface StanceJudgedRow {
  side: Side;
  topic: string;
  post_id: number;
  label: StanceLabel | null;
  request_hash: string;
  error: string | null;
}

export interface StanceResult {
  topics: string[];
  model: StanceModelRow[];
  byStep: StanceStepRow[];
  surveys: StanceSurveyRow[];
  judged: StanceJudgedRow[];
  /** The judge's requests sent by this analysis, one per distinct text (none when all came from the cache). */
  calls: StanceJudgeCallRow[];
}

export interface StanceJudgeCallRow {
  topic: string;
  request_hash: string;
  outcome: string;
  attempts: number;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
}

const SIDE_ORDER: Record<Side, number> = { sim: 0, real: 1 };
const sql = (s: string): string => s.replace(/'/g, "''");

/** The topic's words, as tokenize() writes them. */
export const topicWords = (topic: string): string[] => tokenize(topic).filter((t) => !t.startsWith('#'));

/** Whether a post's text names the topic (all its words, or the topic as one #tag). */
export function mentions(text: string, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const tokens = new Set(tokenize(text));
  return words.every((w) => tokens.has(w)) || tokens.has(`#${words.join('')}`);
}

/** The stance topics: the experiment's list (settings) and every key of a persona's stance. */
export async function stanceTopics(db: SimDb, settings?: AnalysisSettings): Promise<string[]> {
  const rows = await db.query<{ topic: string }>(
    `SELECT DISTINCT unnest(json_keys(persona, '$.stance')) AS topic FROM users WHERE json_valid(persona) AND json_type(persona, '$.stance') = 'OBJECT'`,
  );
  return [...new Set([...(settings?.stanceTopics ?? []), ...rows.map((r) => r.topic)])].filter((t) => topicWords(t).length > 0).sort();
}

/** A side's posts naming the topic, at most POSTS_PER_TOPIC (fixed sample), ordered by post id. */
export async function topicPosts(db: SimDb, topic: string, side: Side): Promise<TopicPost[]> {
  const words = topicWords(topic);
  const rows = await db.query<{ post_id: number; author: number; step: number; cohort: string; text: string; stance: string | null }>(
    `SELECT p.post_id::DOUBLE AS post_id, p.author_id::DOUBLE AS author, p.created_step::INTEGER AS step, coalesce(u.cohort, '') AS cohort, p.text,
            CASE WHEN json_valid(u.persona) THEN json_extract(u.persona, '$.stance')::VARCHAR END AS stance
     FROM posts p LEFT JOIN users u ON u.user_id = p.author_id
     WHERE ${await sideCondition(db, side)} AND contains(lower(p.text), '${sql(words[0]!)}')
     ORDER BY hash(p.post_id) LIMIT ${POSTS_PER_TOPIC}`,
  );
  const out: TopicPost[] = [];
  for (const r of rows) {
    if (!mentions(r.text, words)) continue;
    const own = r.stance === null ? undefined : (JSON.parse(r.stance) as Record<string, unknown> | null)?.[topic];
    out.push({ side, postId: r.post_id, author: r.author, step: r.step, cohort: r.cohort, text: r.text, stance: typeof own === 'number' ? own : null });
  }
  return out.sort((a, b) => a.postId - b.postId);
}

/** Shares of each label per side, step and cohort (rows ordered by side, step, cohort). */
export function sharesByStep(topic: string, method: string, posts: readonly TopicPost[], labels: readonly (StanceLabel | null)[]): StanceStepRow[] {
  const groups = new Map<string, { side: Side; step: number; cohort: string; n: Record<StanceLabel, number> }>();
  posts.forEach((p, i) => {
    const label = labels[i];
    if (label === null || label === undefined) return;
    const key = JSON.stringify([p.side, p.step, p.cohort]);
    const g = groups.get(key) ?? groups.set(key, { side: p.side, step: p.step, cohort: p.cohort, n: { for: 0, against: 0, neutral: 0 } }).get(key)!;
    g.n[label]++;
  });
  return [...groups.values()]
    .sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side] || a.step - b.step || a.cohort.localeCompare(b.cohort))
    .map((g) => {
      const posts = g.n.for + g.n.against + g.n.neutral;
      return { side: g.side, step: g.step, cohort: g.cohort, topic, method, posts, for_share: g.n.for / posts, against_share: g.n.against / posts, neutral_share: g.n.neutral / posts };
    });
}

/**
 * Agreement with the surveys whose question names the topic. An agent's answer is its mean
 * valid answer over the survey's rounds, on the side of the scale's midpoint: above = for,
 * below = against (so a survey is read as "how far do you agree with <topic>"); its posts'
 * side is the majority of its classified sim posts on the topic (for vs against, neutral ones
 * left out). Agents with an answer on the midpoint or a tied majority are left out.
 */
export async function surveyAgreement(
  db: SimDb,
  topic: string,
  method: string,
  posts: readonly TopicPost[],
  labels: readonly (StanceLabel | null)[],
  scales: Readonly<Record<string, { min: number; max: number }>> = {},
): Promise<StanceSurveyRow[]> {
  const table = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_catalog = current_database() AND table_name = 'survey_answers'`);
  if ((table?.n ?? 0) === 0) return [];
  const words = topicWords(topic);
  const answers = await db.query<{ survey: string; question: string; agent: number; answer: number }>(
    `SELECT survey, any_value(question) AS question, agent_id::DOUBLE AS agent, avg(answer)::DOUBLE AS answer
     FROM survey_answers WHERE answer IS NOT NULL GROUP BY survey, agent_id ORDER BY survey, agent_id`,
  );
  const net = new Map<number, number>();
  posts.forEach((p, i) => {
    if (p.side !== 'sim' || (labels[i] !== 'for' && labels[i] !== 'against')) return;
    net.set(p.author, (net.get(p.author) ?? 0) + (labels[i] === 'for' ? 1 : -1));
  });
  const out = new Map<string, { agents: number; agree: number }>();
  for (const a of answers) {
    if (!mentions(a.question, words)) continue;
    const scale = scales[a.survey] ?? DEFAULT_SCALE;
    const answerSide = Math.sign(a.answer - (scale.min + scale.max) / 2);
    const postSide = Math.sign(net.get(a.agent) ?? 0);
    const s = out.get(a.survey) ?? out.set(a.survey, { agents: 0, agree: 0 }).get(a.survey)!;
    if (answerSide === 0 || postSide === 0) continue;
    s.agents++;
    if (answerSide === postSide) s.agree++;
  }
  return [...out].map(([survey, s]) => ({ survey, topic, method, agents: s.agents, agreement: s.agents === 0 ? Number.NaN : s.agree / s.agents }));
}

/** Every topic's posts on both sides (when real posts exist), sim first. */
async function allTopicPosts(db: SimDb, topic: string): Promise<TopicPost[]> {
  const sides: Side[] = (await hasRealPosts(db)) ? ['sim', 'real'] : ['sim'];
  const out: TopicPost[] = [];
  for (const side of sides) out.push(...(await topicPosts(db, topic, side)));
  return out;
}

/** Labels by the offline classifier; the model's held-out accuracy. */
export function centroidLabels(posts: readonly TopicPost[]): { labels: (StanceLabel | null)[]; model: { accuracy: number; chance: number; train_posts: number } } {
  const vectors = tfidfVectors(posts.map((p) => p.text));
  const docs = posts.map((p, i) => ({ author: p.author, vector: vectors[i]!, known: p.side === 'sim' ? knownSide(p.stance) : null }));
  const margins = outOfFoldMargins(docs);
  const held = heldOutAccuracy(docs, margins);
  // A post whose fold's model lacks a side (too few decided authors) gets no label.
  return { labels: margins.map((m) => (Number.isNaN(m) ? null : labelOf(m))), model: { accuracy: held.accuracy, chance: held.chance, train_posts: held.trainPosts } };
}

/** The judge's sample of a topic's posts: at most JUDGE_POSTS per side, fixed by a hash of the post id. */
function judgeSample(posts: readonly TopicPost[]): TopicPost[] {
  const hash = (id: number): number => Math.imul(id, 2654435761) >>> 0;
  const out: TopicPost[] = [];
  for (const side of ['sim', 'real'] as const) {
    const mine = posts.filter((p) => p.side === side).sort((a, b) => hash(a.postId) - hash(b.postId) || a.postId - b.postId);
    out.push(...mine.slice(0, JUDGE_POSTS));
  }
  return out.sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side] || a.postId - b.postId);
}

/** The judge's accuracy on posts by decided agents: its label equals the author's side (neutral counts wrong). */
function judgeAccuracy(posts: readonly TopicPost[], labels: readonly (StanceLabel | null)[]): { accuracy: number; chance: number; train_posts: number } {
  let pro = 0;
  let con = 0;
  let right = 0;
  posts.forEach((p, i) => {
    const side = p.side === 'sim' ? knownSide(p.stance) : null;
    if (side === null || labels[i] === null) return;
    if (side === 'for') pro++;
    else con++;
    if (labels[i] === side) right++;
  });
  const n = pro + con;
  // Nothing is trained: train_posts is NULL.
  return { accuracy: n === 0 ? Number.NaN : right / n, chance: n === 0 ? Number.NaN : Math.max(pro, con) / n, train_posts: Number.NaN };
}

export interface StanceOptions {
  /** Judge only from the cache, sending nothing (the report). */
  readonly judgeCacheOnly?: boolean;
}

/**
 * The judge's settings from the analysis settings, or null when none is configured. Its
 * requests pass the experiment's budgets, holding what the run sent (llm_calls, replayed
 * answers left out as the run's own accounting does).
 */
async function judgeOf(db: SimDb, settings: AnalysisSettings | undefined, opts: StanceOptions): Promise<JudgeSettings | null> {
  const j = settings?.stanceJudge;
  if (j === undefined || (j.model.provider !== 'openai-compatible' && j.model.provider !== 'openai')) return null;
  const gate = opts.judgeCacheOnly || j.budgets === undefined ? null : budgetGateFor(j.budgets);
  if (gate !== null) {
    const used = await db.query<{ model: string; requests: number; p: number; c: number }>(
      `SELECT model, sum(attempts)::DOUBLE AS requests, sum(prompt_tokens)::DOUBLE AS p, sum(completion_tokens)::DOUBLE AS c FROM llm_calls WHERE endpoint <> 'replay' GROUP BY model`,
    );
    for (const u of used) gate.add(u.model, { requests: u.requests, promptTokens: u.p, completionTokens: u.c });
  }
  return {
    settings: modelSettingsFromConfig(j.name, j.model),
    ...(settings?.runDir !== undefined ? { dir: settings.runDir } : {}),
    ...(opts.judgeCacheOnly ? { cacheOnly: true } : {}),
    ...(gate !== null ? { gate } : {}),
  };
}

/** The stance analysis over every topic (empty without stance topics). */
export async function stance(db: SimDb, settings?: AnalysisSettings, opts: StanceOptions = {}): Promise<StanceResult> {
  const topics = await stanceTopics(db, settings);
  const judge = await judgeOf(db, settings, opts);
  const result: StanceResult = { topics, model: [], byStep: [], surveys: [], judged: [], calls: [] };
  for (const topic of topics) {
    const posts = await allTopicPosts(db, topic);
    const { labels, model } = centroidLabels(posts);
    result.model.push({ topic, method: CENTROID, ...model });
    result.byStep.push(...sharesByStep(topic, CENTROID, posts, labels));
    result.surveys.push(...(await surveyAgreement(db, topic, CENTROID, posts, labels, settings?.surveyScales)));
    if (judge === null) continue;
    const method = `judge:${judge.settings.name}`;
    const sample = judgeSample(posts);
    const calls: JudgeCall[] = [];
    const judged = await judgePosts(sample.map((p) => ({ topic, text: p.text })), judge, calls);
    result.calls.push(
      ...calls.map((c) => ({ topic, request_hash: c.requestHash, outcome: c.outcome, attempts: c.attempts, latency_ms: c.latencyMs, prompt_tokens: c.promptTokens, completion_tokens: c.completionTokens })),
    );
    const judgedLabels = judged.map((j) => j.label);
    result.model.push({ topic, method, ...judgeAccuracy(sample, judgedLabels) });
    result.byStep.push(...sharesByStep(topic, method, sample, judgedLabels));
    result.surveys.push(...(await surveyAgreement(db, topic, method, sample, judgedLabels, settings?.surveyScales)));
    result.judged.push(...sample.map((p, i) => ({ side: p.side, topic, post_id: p.postId, label: judged[i]!.label, request_hash: judged[i]!.requestHash, error: judged[i]!.error })));
  }
  return result;
}
