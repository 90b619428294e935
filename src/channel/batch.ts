import type { EmbeddingRow } from './embeddings.js';
import type { PostKind, UserKind } from './state.js';
import type { FeedSource, ShownFeeds } from './shown-feeds.js';

export type { FeedSource, ShownFeed } from './shown-feeds.js';

export interface UserRow {
  readonly userId: number;
  readonly username: string;
  readonly name: string;
  readonly bio: string;
  readonly cohort: string;
  readonly model: string;
  readonly kind: UserKind;
  readonly persona: string;
}

export interface PostRow {
  readonly postId: number;
  readonly authorId: number;
  readonly text: string;
  readonly kind: PostKind;
  readonly parentId: number | null;
  readonly rootId: number | null;
  readonly label: string | null;
  /** Reposts, quotes and replies: the post it was seen as, and where (see `Exposure`). */
  readonly via?: Exposure | null;
}

export interface ReportRow {
  readonly userId: number;
  readonly postId: number;
  readonly reason: string | null;
}

export interface RepostRow {
  readonly userId: number;
  readonly postId: number;
  readonly repostId: number;
}

export interface TraceRow {
  readonly agentId: number;
  readonly action: string;
  readonly args: string;
  readonly ok: boolean;
  readonly result: string | null;
  readonly error: string | null;
}

/** One request to a language model, as the llm_calls table stores it (less the step). */
export interface LlmCallRow {
  readonly agentId: number;
  readonly cohort: string;
  readonly model: string;
  readonly endpoint: string;
  readonly latencyMs: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly attempts: number;
  /** 'ok' or the failure kind: rate_limited, server_error, timeout, connection, client_error, bad_response, no_endpoint, replay_miss. */
  readonly outcome: string;
  readonly error: string | null;
  /** Hash of the request (the replay cache key). */
  readonly requestKey?: string;
  /** The answer as JSON, for answered calls (goes to llm_responses). */
  readonly response?: string;
  /** The messages sent as JSON, keys redacted (goes to llm_prompts), answered or not. */
  readonly messages?: string;
}

export interface SurveyAnswerRow {
  readonly survey: string;
  readonly agentId: number;
  readonly cohort: string;
  readonly question: string;
  readonly answer: number | null;
  readonly raw: string | null;
  readonly error: string | null;
}

export interface DirectMessageRow {
  readonly messageId: number;
  readonly senderId: number;
  readonly recipientId: number;
  readonly text: string;
}

export interface GroupMessageRow {
  readonly messageId: number;
  readonly groupId: number;
  readonly senderId: number;
  readonly text: string;
}

/** A new group or list (its creator / owner and name). */
export interface NamedRow {
  readonly id: number;
  readonly ownerId: number;
  readonly name: string;
}

/** A group_members row opened this step; leftStep is set when the member leaves in the same step. */
export interface MembershipRow {
  readonly groupId: number;
  readonly userId: number;
  leftStep: number | null;
}

/** Where an agent saw posts other than its recommended feed (impressions.source). */
export type ReadSource = 'search' | 'trend' | 'timeline' | 'list';

/** How an agent came to see a post: the impression's source and the post id it was shown as. */
export interface Exposure {
  readonly source: FeedSource | ReadSource | null;
  /** A followee's repost it came through, or the post itself. */
  readonly viaPostId: number;
}

export interface ReadImpressions {
  readonly agentId: number;
  readonly postIds: readonly number[];
  readonly source: ReadSource;
}

const PAIR_BASE = 2 ** 32;

/**
 * Net change of a pair table (likes, follows) within one step. Like-then-unlike in the same
 * step leaves nothing to write; unlike-then-like of an old pair keeps the original row.
 */
export class PairDiff {
  readonly added = new Set<number>();
  readonly removed = new Set<number>();

  /** Returns true when the pair's removal earlier in the step was cancelled (its old row stays). */
  add(a: number, b: number): boolean {
    const k = a * PAIR_BASE + b;
    if (this.removed.delete(k)) return true;
    this.added.add(k);
    return false;
  }

  remove(a: number, b: number): void {
    const k = a * PAIR_BASE + b;
    if (!this.added.delete(k)) this.removed.add(k);
  }

  static key(a: number, b: number): number {
    return a * PAIR_BASE + b;
  }

  static split(key: number): [number, number] {
    const a = Math.floor(key / PAIR_BASE);
    return [a, key - a * PAIR_BASE];
  }
}

/** Everything one step writes, gathered in memory and flushed in one transaction. */
export interface InterventionRow {
  readonly action: string;
  readonly target: string | null;
  readonly detail: string;
  readonly ok: boolean;
  readonly error: string | null;
}

/** A post's herding assignment (see channel/herding.ts). */
export interface HerdingRow {
  readonly postId: number;
  readonly arm: 'up' | 'down' | 'control';
}

export class StepBatch {
  readonly users: UserRow[] = [];
  readonly posts: PostRow[] = [];
  readonly reposts: RepostRow[] = [];
  readonly trace: TraceRow[] = [];
  readonly llmCalls: LlmCallRow[] = [];
  readonly surveyAnswers: SurveyAnswerRow[] = [];
  readonly likes = new PairDiff();
  readonly follows = new PairDiff();
  readonly dislikes = new PairDiff();
  readonly bookmarks = new PairDiff();
  readonly mutes = new PairDiff();
  /** Step of a bookmark row removed this step, by pair key: a re-bookmark in the step keeps that row. */
  readonly removedBookmarkSteps = new Map<number, number>();
  readonly reports: ReportRow[] = [];
  /** user → pinned post at the end of the step (null: unpinned); replaces the user's pins row. */
  readonly pins = new Map<number, number | null>();
  /** Posts whose deleted_step / flagged_step / hidden_step become this step. */
  readonly deleted: number[] = [];
  readonly flagged: number[] = [];
  readonly hidden: number[] = [];
  readonly directMessages: DirectMessageRow[] = [];
  readonly groups: NamedRow[] = [];
  readonly groupMessages: GroupMessageRow[] = [];
  /** group_members rows opened this step, in order; and (group, user) pairs whose earlier row closes now. */
  readonly joins: MembershipRow[] = [];
  readonly closedMemberships = new Set<number>();
  readonly lists: NamedRow[] = [];
  /** (list, user) and (user, list) pairs: net change of list_members and list_pins. */
  readonly listMembers = new PairDiff();
  readonly listPins = new PairDiff();
  /** Posts agents read through search, trends, timelines and lists, written to `impressions`. */
  readonly reads: ReadImpressions[] = [];
  /** Posts relabelled by an intervention this step: post id → new label. */
  readonly relabelled = new Map<number, string>();
  /** Interventions carried out (or refused) this step, written to `interventions`. */
  readonly interventions: InterventionRow[] = [];
  /** Posts assigned to a herding arm this step (treated in it), written to `herding`. */
  readonly herding: HerdingRow[] = [];
  /** A learned recommender's state after this step's refresh, written to `recsys_state`. */
  recsysState: { readonly kind: string; readonly bytes: Uint8Array } | null = null;
  /** Text embeddings first obtained this step (see embeddings.ts). */
  readonly embeddings: EmbeddingRow[] = [];
  /** What each active agent was shown of its feed, written to `impressions`. */
  impressions: ShownFeeds | null = null;
  /** Reads of the step by agent, for `seenAs`. */
  private readonly readsBy = new Map<number, ReadImpressions[]>();
  /** Feeds computed this step (user → ranked post ids), written to `rec`. */
  feeds: ReadonlyMap<number, readonly number[]> | null = null;
  failed = 0;
  /** Wall ms of the recommender's lists (rec, feed impressions): staging them, then waiting at the commit for their INSERTs. */
  listWriteMs = 0;

  constructor(
    readonly step: number,
    readonly simTimeMs: number,
  ) {}

  /**
   * Records that `agent` was shown `postIds` (rank order) by `source` and returns them, so a
   * reading action wraps its result in one call. Copied (≤ 100 ids): an index that reuses its
   * result buffer cannot change what was recorded.
   */
  recordImpressions<T extends readonly number[]>(agent: number, postIds: T, source: ReadSource): T {
    if (postIds.length > 0) {
      const read = { agentId: agent, postIds: [...postIds], source };
      this.reads.push(read);
      const mine = this.readsBy.get(agent);
      if (mine) mine.push(read);
      else this.readsBy.set(agent, [read]);
    }
    return postIds;
  }

  /**
   * Where `agent` saw `postId` in this step: its feed as observed at the step's start first
   * (that is what it decided from), then what its reading actions returned, in order; null when
   * it was not shown the post this step (a recalled id, a notification).
   */
  seenAs(agent: number, postId: number): Exposure | null {
    const fromFeed = this.impressions?.seenAs(agent, postId);
    if (fromFeed) return fromFeed;
    for (const read of this.readsBy.get(agent) ?? []) if (read.postIds.includes(postId)) return { source: read.source, viaPostId: postId };
    return null;
  }
}
