/**
 * The LLM judge of stance (`analysis.stance.judge: <model key>`): each sampled post naming a
 * topic goes to that model through the project's client with a one-word question (for,
 * against or neutral), parsed strictly; anything else is recorded as an invalid answer.
 *
 * Answers are cached by request hash (llm/cache.ts requestKey: model, sampling settings and
 * messages, as agents' calls are keyed for --replay) in `stance-judge.jsonl` in the run folder,
 * one line per answered request, appended as answers come. A later `analyze` (or the report)
 * answers every cached request from the file without sending it, so the tables come out the
 * same with the model's server stopped. Failed requests are not cached (as agents' are not):
 * they are tried again next time, but their line stays, marked with the error.
 *
 * Budgets: the judge's requests pass the experiment's budgets like the run's own (the model's
 * `budget:` and the run-wide `budget:`), counting what the run sent (llm_calls) and what earlier
 * analyses sent (the cache file's lines, failed ones included). A request a budget turns away is
 * not sent; its post gets no label and the budget's message as its error.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BudgetGate } from '../llm/budget-gate.js';
import { requestKey } from '../llm/cache.js';
import { createLimiterFor } from '../llm/settings.js';
import type { ChatRequest, ModelClient, ModelSettings } from '../llm/types.js';
import type { StanceLabel } from './stance-classifier.js';

export const JUDGE_CACHE = 'stance-judge.jsonl';
/** At most this many posts per topic and side are judged (a fixed sample). */
export const JUDGE_POSTS = 1_000;
/** Requests in flight at once (the client's limiter also caps each endpoint). */
const PARALLEL = 8;

export interface JudgeSettings {
  /** The model's key under `models:` and its client settings. */
  readonly settings: ModelSettings;
  /** Where the cache file lives (the run folder); none: no cache. */
  readonly dir?: string;
  /** Only answer from the cache, never send (the report). */
  readonly cacheOnly?: boolean;
  /** The experiment's budgets, holding what the run already sent; none: no budget applies. */
  readonly gate?: BudgetGate | null;
}

export interface Judged {
  readonly label: StanceLabel | null;
  readonly requestHash: string;
  readonly cached: boolean;
  /** Why there is no label: the request failed, was not cached (cache only) or the answer was not one word of the three. */
  readonly error: string | null;
}

/** A request this analysis sent (answers from the cache send none), as agents' calls are in llm_calls. */
export interface JudgeCall {
  readonly requestHash: string;
  readonly outcome: string;
  readonly attempts: number;
  readonly latencyMs: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export function judgeRequest(topic: string, text: string): ChatRequest {
  return {
    messages: [
      { role: 'system', content: 'You classify the stance of social media posts toward a topic. Answer with exactly one word: for, against or neutral.' },
      { role: 'user', content: `Topic: ${topic}\nPost: ${text}\n\nIs this post for the topic, against it, or neutral? One word.` },
    ],
  };
}

/** The label in an answer: exactly one of the three words (any case, surrounding spaces and one final period allowed). */
export function parseJudgeAnswer(content: string): StanceLabel | null {
  const w = content.trim().toLowerCase().replace(/\.$/, '');
  return w === 'for' || w === 'against' || w === 'neutral' ? w : null;
}

interface CacheFile {
  /** Answers by request key. */
  readonly answers: Map<string, string>;
  /** What the requests on file cost (answered or failed): earlier analyses' share of a budget. */
  readonly spent: { requests: number; promptTokens: number; completionTokens: number };
}

function loadCache(file: string | null, model: string): CacheFile {
  const answers = new Map<string, string>();
  const spent = { requests: 0, promptTokens: 0, completionTokens: 0 };
  if (file === null || !existsSync(file)) return { answers, spent };
  const n = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as { key?: unknown; model?: unknown; content?: unknown; attempts?: unknown; prompt_tokens?: unknown; completion_tokens?: unknown };
      if (typeof r.key !== 'string' || r.model !== model) continue;
      if (typeof r.content === 'string') answers.set(r.key, r.content);
      // Lines written before usage was kept were one answered request each.
      spent.requests += n(r.attempts, 1);
      spent.promptTokens += n(r.prompt_tokens, 0);
      spent.completionTokens += n(r.completion_tokens, 0);
    } catch {
      // A line cut short by an interrupted analyze: that request is simply asked again.
    }
  }
  return { answers, spent };
}

/** Judges `items` (topic, text) in order; one result each. */
export async function judgePosts(items: readonly { topic: string; text: string }[], judge: JudgeSettings, calls: JudgeCall[] = []): Promise<Judged[]> {
  const file = judge.dir === undefined ? null : join(judge.dir, JUDGE_CACHE);
  const { answers: cache, spent } = loadCache(file, judge.settings.model);
  const gate = judge.gate ?? null;
  if (gate !== null && spent.requests > 0) gate.add(judge.settings.name, spent);
  // Fail fast when no endpoint answers: an analysis does not wait out a run's max_outage.
  const settings: ModelSettings = { ...judge.settings, unavailableTimeoutMs: judge.settings.timeoutMs };
  // Made for the first request (the openai SDK with it): a report whose answers all come from the cache loads neither.
  let client: Promise<ModelClient> | null = null;
  // Posts with the same text make the same request: it is sent once, the others wait for it.
  const pending = new Map<string, Promise<{ content: string } | { error: string }>>();
  const send = async (key: string, req: ChatRequest): Promise<{ content: string } | { error: string }> => {
    client ??= import('../llm/client.js').then((m) => m.createModelClient(settings, createLimiterFor(settings), gate ?? undefined));
    const r = await (await client).chat(req);
    const c = r.record;
    calls.push({ requestHash: key, outcome: c.outcome, attempts: c.attempts, latencyMs: Math.round(c.latencyMs), promptTokens: c.promptTokens, completionTokens: c.completionTokens });
    const usage = { attempts: c.attempts, prompt_tokens: c.promptTokens, completion_tokens: c.completionTokens };
    if (!r.ok) {
      // A request that reached a server is spent even without an answer; one turned away was not sent.
      if (file !== null && c.attempts > 0) appendFileSync(file, `${JSON.stringify({ key, model: settings.model, error: c.outcome, ...usage })}\n`);
      return { error: r.kind === 'budget_exhausted' ? r.error : `${r.kind}: ${r.error}` };
    }
    const content = typeof r.message.content === 'string' ? r.message.content : '';
    cache.set(key, content);
    if (file !== null) appendFileSync(file, `${JSON.stringify({ key, model: settings.model, content, ...usage })}\n`);
    return { content };
  };
  const out = new Array<Judged>(items.length);
  const ask = async (i: number): Promise<void> => {
    const req = judgeRequest(items[i]!.topic, items[i]!.text);
    const key = requestKey(settings, req);
    const answered = (content: string, cached: boolean): Judged => {
      const label = parseJudgeAnswer(content);
      return { label, requestHash: key, cached, error: label === null ? `invalid answer: ${JSON.stringify(content.slice(0, 80))}` : null };
    };
    const hit = cache.get(key);
    if (hit !== undefined) return void (out[i] = answered(hit, true));
    if (judge.cacheOnly) return void (out[i] = { label: null, requestHash: key, cached: false, error: 'not judged yet (run socialsim analyze)' });
    const sent = pending.get(key) ?? pending.set(key, send(key, req)).get(key)!;
    const r = await sent;
    out[i] = 'error' in r ? { label: null, requestHash: key, cached: false, error: r.error } : answered(r.content, false);
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await ask(next++);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return out;
}
