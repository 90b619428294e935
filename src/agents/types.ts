import type { AgentAction } from '../channel/actions/types.js';
import type { LlmCallRow } from '../channel/batch.js';
import type { MemoryItem, Notification } from '../channel/context.js';
import type { ObservedMarks, PostView } from '../channel/snapshot.js';
import type { Persona } from '../data/personas.js';
import type { SurveyConfig } from '../config/types.js';

export type { MemoryItem, Notification };

/** What one active agent sees at the start of a step. */
export interface Observation {
  readonly step: number;
  /** Sim time of the step start, ISO-8601. */
  readonly simTime: string;
  /** The agent's feed, rank order; posts deleted or aged out of the window are dropped. */
  readonly feed: readonly PostView[];
  readonly followees: ReadonlySet<number>;
  readonly liked: ReadonlySet<number>;
  readonly reposted: ReadonlySet<number>;
  /** Filled only for policies that ask for it (`wantsContext`): LLM prompts use it. */
  readonly notifications?: readonly Notification[];
  readonly memory?: readonly MemoryItem[];
  /** Usernames of the feed posts' authors, same condition. */
  readonly authors?: ReadonlyMap<number, string>;
  /** The agent's dislikes, bookmarks, mutes, reports and live posts (the engine fills it; absent reads as empty). */
  readonly marks?: ObservedMarks;
  /** Browse mode: `feed` is read in pages of `pageSize`, at most `maxPages` of them. */
  readonly browse?: { readonly pageSize: number; readonly maxPages: number };
  /** The platform shows posts' dislike counts (herding runs, whose down-votes must be seen): LLM prompts list them. */
  readonly showDislikes?: boolean;
}

export interface DecisionRequest {
  readonly persona: Persona;
  readonly observation: Observation;
}

/** One LLM request made for a decision: the llm_calls table's row, less step, agent and cohort. */
export type LlmCall = Omit<LlmCallRow, 'agentId' | 'cohort'>;

export interface EndpointState {
  readonly model: string;
  readonly endpoint: string;
  readonly healthy: boolean;
  /** Requests in flight on it right now, over all worker threads. */
  readonly outstanding: number;
  readonly maxConcurrency: number;
}

/** One agent's answer to one survey question. */
export interface SurveyAnswer {
  readonly answer: number | null;
  readonly raw: string | null;
  readonly error: string | null;
  readonly calls: readonly LlmCall[];
}

export type SurveyQuestion = Pick<SurveyConfig, 'name' | 'question' | 'scale'>;

/** A proposed action that never became one (unparseable or invalid after the repair turn). */
export interface RejectedAction {
  readonly action: string;
  readonly args: string;
  readonly error: string;
}

/** What an agent decided in a step. */
export interface Decision {
  /** Applied in order through the channel, which enforces the platform's rules. */
  readonly actions: readonly AgentAction[];
  /** Recorded in trace as failed without reaching the channel. */
  readonly rejected?: readonly RejectedAction[];
  /** Requests made to reach this decision (none for in-process policies). */
  readonly calls?: readonly LlmCall[];
  /**
   * How many of the feed's first posts the agent was actually shown, when fewer than the
   * engine would count (an LLM prompt trimmed to fit the model's context); absent = the whole
   * feed, or in browse mode every page reached.
   */
  readonly shown?: number;
  /**
   * The budget (`run` or a model key) that turned the agent's first request away: no LLM
   * decided, nothing was sent. The engine gives the agent the statistical policy's decision
   * under `on_exhausted: fallback`; under `stop` this decision (a failed `decide`) stands.
   */
  readonly budgetRefused?: string;
}

/**
 * Turns observations into decisions. Async so LLM policies (worker threads, HTTP) and the
 * in-process statistical policy share one engine path; `decideAll` returns one decision per
 * request, in request order, and never rejects because one agent's model failed: such a
 * failure is a Decision with `rejected` entries.
 */
export interface AgentPolicy {
  readonly name: string;
  /** Whether observations need notifications, memory and author names (costs queries). */
  readonly wantsContext: boolean;
  /** Size of the memory to fill when `wantsContext`. */
  readonly memorySize?: number;
  decideAll(step: number, requests: readonly DecisionRequest[]): Promise<Decision[]>;
  /**
   * In-process policies that need no context: one agent's decision, at once, the same as
   * `decideAll` would give it. The engine then makes each observation just before its decision
   * rather than all of a cohort's first: at a million agents those would all be alive together,
   * copied by every young-generation GC of the step.
   */
  decideOne?(step: number, request: DecisionRequest): Decision;
  /** Puts a survey question to the given agents (LLM policies only); one answer per request, in order. */
  survey?(question: SurveyQuestion, requests: readonly DecisionRequest[]): Promise<SurveyAnswer[]>;
  /** Each endpoint's state now (LLM policies): for health events and benchmarks. */
  endpoints?(): EndpointState[];
  /** Frees threads, sockets and the like; called once at the end of a run. */
  close?(): Promise<void>;
}
