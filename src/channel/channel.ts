import { blobValue } from '../common/duckdb-api.js';
import { StepBatch, type PostRow, type ShownFeed, type UserRow } from './batch.js';
import { applyAction } from './actions/registry.js';
import type { ActionResult, AgentAction, ApplyContext } from './actions/types.js';
import { appendFollows, writeBatch } from './commit.js';
import { sqlInt } from './chunks.js';
import { writeInterventions } from './commit-interventions.js';
import { writeDatasetPosts, writeReference, type DatasetPostRow, type ReferenceData } from './commit-reference.js';
import { intervene, type PlatformIntervention } from './interventions.js';
import { platformAccount, treatPost, writeHerding, type HerdingArm } from './herding.js';
import { readEmbeddings, writeEmbeddings } from './embeddings.js';
import { agentContexts, type AgentContext } from './context.js';
import { EdgeList } from '../common/edge-list.js';
import { injectedFault } from '../common/test-hooks.js';
import { ChannelDb } from './db.js';
import { HomeTimeline } from './home-timeline.js';
import { interactionsOf, recentPosts, type ChannelSnapshot, type Interactions, PostsById } from './snapshot.js';
import { ChannelState, type PlatformRules } from './state.js';
import { loadState } from './state-load.js';
import { evictBefore, visitPosts } from './window.js';
import { committedStepRows, committedTotals, latestFeeds, llmUsageByModel, storedRecsysState, type CommittedStep, type LlmUsage } from './committed.js';
import { stepSummary, type StepSummary } from './step-figures.js';
import { StepTransaction } from './step-transaction.js';
import { ShownFeeds } from './shown-feeds.js';

const NO_FEED: readonly number[] = [];

const isIdList = (feed: ShownFeed | readonly number[]): feed is readonly number[] => Array.isArray(feed);

export type { CommittedStep } from './committed.js';
export type { StepSummary } from './step-figures.js';

export interface DatasetImport {
  readonly users: readonly UserRow[];
  /** [follower, followee]: an EdgeList for a generated graph (millions of edges), pairs for a few. */
  readonly follows: EdgeList | readonly (readonly [number, number])[];
  /** Opening posts; those from dataset.posts carry the file's id (and track flag), kept in `dataset_posts`. */
  readonly posts: readonly (Omit<PostRow, 'postId' | 'kind' | 'parentId' | 'rootId'> & { readonly datasetId?: string; readonly track?: boolean; readonly realTimeMs?: number })[];
  /** Real data kept as loaded for reports: the real_posts, real_follows and real_cascades tables. */
  readonly reference?: ReferenceData;
}

/**
 * The simulated platform: the DuckDB record plus its in-memory mirror. A step goes
 * `beginStep → apply… → commitStep`; everything in between is one transaction.
 */
export class Channel {
  private feeds: ReadonlyMap<number, readonly number[]> = new Map();
  /** The store `shownFeedStore` hands out each step: its buffers are reused. */
  private readonly shown = new ShownFeeds();
  private nextSeq = 0;
  private agentIds: number[] | null = null;
  private feedSeeds: ReadonlySet<number> = new Set();
  private agentIdsFor = -1;
  private lastCommittedStep = -1;
  /** The herding experiment's voting account, once looked up or created. */
  private platformVoter: number | null = null;
  /** Steps of posts the mirror keeps (window.ts); unset: every post. */
  private memoryWindow: number | undefined;
  private applyCtx: ApplyContext | undefined;
  private openTx: StepTransaction | undefined;

  private constructor(
    readonly db: ChannelDb,
    readonly state: ChannelState,
  ) {}

  /**
   * Opens (or creates) a sim.duckdb. With `memoryWindow` (steps), the mirror holds only the
   * posts of the window of the next step, as the run that committed the last step held them;
   * `agents`, the run's size, sets DuckDB's threads (ChannelDb.open).
   */
  static async open(path: string, opts: { memoryWindow?: number; agents?: number } = {}): Promise<Channel> {
    const db = await ChannelDb.open(path, opts.agents === undefined ? {} : { agents: opts.agents });
    const [last] = await db.query<{ s: number }>('SELECT coalesce(max(step), -1)::INTEGER AS s FROM steps');
    const committed = last?.s ?? -1;
    const window = opts.memoryWindow;
    const channel = new Channel(db, await loadState(db, window !== undefined && committed >= 0 ? committed + 1 - window : -Infinity));
    channel.memoryWindow = window;
    const [seq] = await db.query<{ n: number }>('SELECT coalesce(max(seq) + 1, 0)::INTEGER AS n FROM trace');
    channel.nextSeq = seq?.n ?? 0;
    channel.lastCommittedStep = committed;
    channel.feeds = await latestFeeds(channel.db);
    return channel;
  }

  /** The last step whose transaction committed; -1 before the first. */
  get committedStep(): number {
    return this.lastCommittedStep;
  }

  get userCount(): number {
    return this.state.users.size;
  }

  usernameOf(user: number): string {
    return this.state.users.get(user)?.username ?? `user${user}`;
  }


  /**
   * LLM requests sent so far (attempts; replayed answers were not sent) and tokens, by model key:
   * a resumed run's budgets start from them. `upToStep`: only those of steps up to it.
   */
  llmUsageByModel(upToStep?: number): Promise<Map<string, LlmUsage>> {
    return llmUsageByModel(this.db, upToStep);
  }

  /** Notifications and recent own actions of the given agents (for LLM prompts). */
  agentContexts(agents: readonly number[], memorySize: number): Promise<Map<number, AgentContext>> {
    return agentContexts(this.db, agents, memorySize);
  }

  get hasFeeds(): boolean {
    return this.feeds.size > 0;
  }

  feedOf(user: number): readonly number[] {
    return this.feeds.get(user) ?? NO_FEED;
  }

  /**
   * Platform rules from the experiment's `platform:` section; apply before the first step.
   * `memoryWindow`: after each commit, posts created more than that many steps before the
   * next step leave the mirror (window.ts).
   */
  configure(rules: Partial<Omit<PlatformRules, 'trends'>> & { trends?: Partial<PlatformRules['trends']>; memoryWindow?: number }): void {
    const { trends, memoryWindow, ...rest } = rules;
    if (memoryWindow !== undefined) this.memoryWindow = memoryWindow;
    Object.assign(this.state.rules, rest);
    if (trends) Object.assign(this.state.rules.trends, trends);
  }

  /**
   * Records what each active agent was shown of its feed this step, before its actions are
   * applied (reposts, quotes and replies record the impression they came from); written to
   * `impressions`. A plain id list means every post came from the recommender as itself. The
   * engine's store (`shownFeedStore`) is taken as it is: its agents marked shown write impressions.
   */
  setImpressions(batch: StepBatch, shown: ReadonlyMap<number, ShownFeed | readonly number[]> | ShownFeeds): void {
    if (shown instanceof ShownFeeds) {
      batch.impressions = shown;
      return;
    }
    const impressions = new ShownFeeds();
    for (const [agent, feed] of shown) {
      impressions.record(agent, isIdList(feed) ? { ids: feed, sources: null, via: null } : feed);
      impressions.show(agent, Infinity);
    }
    batch.impressions = impressions;
  }

  /**
   * The step's store of observed feeds, empty (for `setImpressions`). One store per channel, its
   * buffers kept from step to step: the previous step's impressions are written by then.
   */
  shownFeedStore(): ShownFeeds {
    this.shown.reset();
    return this.shown;
  }

  /** Loads the initial population, graph and posts as data (not agent actions, so not traced). */
  async importDataset(data: DatasetImport, simTimeMs: number): Promise<void> {
    const batch = new StepBatch(0, simTimeMs);
    for (const u of data.users) {
      if (this.state.users.has(u.userId)) throw new Error(`dataset: user id ${u.userId} appears twice`);
      if (this.state.usernames.has(u.username)) throw new Error(`dataset: username "${u.username}" appears twice`);
      this.state.addUser(u.userId, { username: u.username, name: u.name, bio: u.bio, kind: u.kind });
      batch.users.push(u);
    }
    // Follows skip the step batch's net-change bookkeeping: an import only adds.
    const given = data.follows instanceof EdgeList ? data.follows : EdgeList.of(data.follows);
    const follows = new EdgeList(given.length);
    // Twelve million edges at a million agents: account checks in a flat array rather than the
    // users Map, and each follower's set fetched once per run of its edges (they come grouped).
    const isUser = accountTest(data.users, this.state.users);
    let follower = NaN;
    let followees: Set<number> | undefined;
    for (let e = 0; e < given.length; e++) {
      const a = given.from(e);
      const b = given.to(e);
      if (a === b || !isUser(a) || !isUser(b)) continue;
      if (a !== follower) {
        follower = a;
        followees = this.state.follows.get(a);
        if (!followees) this.state.follows.set(a, (followees = new Set()));
      }
      const before = followees!.size;
      followees!.add(b);
      if (followees!.size !== before) follows.push(a, b);
    }
    const fromDataset: DatasetPostRow[] = [];
    for (const { datasetId, track, realTimeMs, ...p } of data.posts) {
      const postId = this.state.nextPostId;
      this.state.addPost(postId, { author: p.authorId, kind: 'original', parentId: null, rootId: postId, createdStep: 0, text: p.text, label: p.label });
      batch.posts.push({ postId, authorId: p.authorId, text: p.text, label: p.label, kind: 'original', parentId: null, rootId: postId });
      if (datasetId !== undefined) fromDataset.push({ postId, datasetId, track: track ?? false, realTimeMs: realTimeMs ?? null });
    }
    await this.inTransaction(async () => {
      await writeBatch(this.db.connection, batch, this.nextSeq);
      await appendFollows(this.db.connection, follows, 0);
      await writeDatasetPosts(this.db.connection, fromDataset);
      if (data.reference) await writeReference(this.db.connection, data.reference);
    });
  }

  beginStep(step: number, simTimeMs: number): StepBatch {
    return new StepBatch(step, simTimeMs);
  }

  /**
   * Puts the posts among `ids` older than the memory window into the mirror for this step
   * (window.ts): call with every post the step's actions and interventions name, before they apply.
   */
  visitPosts(ids: Iterable<number>): Promise<void> {
    return visitPosts(this.db, this.state, ids);
  }

  /** Applies one action now, against the state as changed by the actions applied before it. */
  apply(batch: StepBatch, actor: number, action: AgentAction): ActionResult {
    // One context per step, not per action: a million actions a step at a million agents.
    const ctx = this.applyCtx?.batch === batch ? this.applyCtx : (this.applyCtx = { state: this.state, batch, feedOf: (u) => this.feedOf(u) });
    const outcome = applyAction(ctx, actor, action);
    batch.trace.push({
      agentId: actor,
      action: action.action,
      args: JSON.stringify(action.args),
      ok: outcome.ok,
      result: outcome.ok && outcome.result ? JSON.stringify(outcome.result) : null,
      error: outcome.ok ? null : outcome.error,
    });
    if (!outcome.ok) batch.failed++;
    return outcome;
  }

  /** Records a proposed action that never became one (e.g. an LLM's malformed tool call). */
  reject(batch: StepBatch, actor: number, action: string, args: string, error: string): void {
    // trace.args is a JSON column: raw text that is not JSON is stored as a JSON string.
    let json = args;
    try {
      JSON.parse(args);
    } catch {
      json = JSON.stringify(args);
    }
    batch.trace.push({ agentId: actor, action, args: json, ok: false, result: null, error });
    batch.failed++;
  }

  /** Installs the recommender's new feeds; they are what agents read from now on and go to `rec`. */
  setFeeds(batch: StepBatch, feeds: ReadonlyMap<number, readonly number[]>): void {
    // Kept as given, not copied (a million entries at a million agents): nothing changes a feed map once made.
    batch.feeds = feeds;
    this.feeds = feeds;
  }

  /** Accounts other than agents that get a feed: seed accounts that act through a model. */
  setFeedUsers(ids: readonly number[]): void {
    this.feedSeeds = new Set(ids);
    this.agentIds = null;
  }

  async snapshot(step: number, window: number): Promise<ChannelSnapshot> {
    if (this.agentIds === null || this.agentIdsFor !== this.state.users.size) {
      this.agentIds = [...this.state.users.entries()].filter(([id, u]) => u.kind === 'agent' || this.feedSeeds.has(id)).map(([id]) => id).sort((a, b) => a - b);
      this.agentIdsFor = this.state.users.size;
    }
    const users = this.agentIds;
    // Taken before the step applies anything, so the mirror holds exactly the committed posts.
    const posts = recentPosts(this.state, step - window);
    let interactions: Interactions | undefined;
    return {
      step,
      users,
      posts,
      postsById: new PostsById(posts),
      followeesOf: (u) => this.state.followeesOf(u),
      profileOf: (u) => {
        const user = this.state.users.get(u);
        return user ? `${user.name} ${user.bio}` : '';
      },
      interactions: () => (interactions ??= interactionsOf(this.state, users)),
      engagedBy: (u) => {
        const liked = this.state.likesOf(u);
        const reposted = this.state.repostsOf(u);
        if (reposted.size === 0) return liked;
        return new Set([...liked, ...reposted]);
      },
    };
  }

  /** The step's home timelines over the posts created at `fromStep` or later (see home-timeline.ts). */
  homeTimeline(snapshot: ChannelSnapshot, fromStep: number): Promise<HomeTimeline> {
    return HomeTimeline.open(this.db, this.state, snapshot, fromStep);
  }

  /** An experimenter's intervention on the platform, recorded in `interventions`. */
  intervene(batch: StepBatch, iv: PlatformIntervention, detail: string): { ok: boolean; error: string | null } {
    return intervene(this.state, batch, iv, detail);
  }

  /**
   * The herding experiment's treatment of `postId`: its arm recorded, and for up / down a like /
   * dislike from the platform's hidden voting account (created in the batch the first time).
   */
  herdingTreat(batch: StepBatch, postId: number, arm: HerdingArm): void {
    this.platformVoter ??= platformAccount(this.state, batch);
    treatPost(this.state, batch, this.platformVoter, postId, arm);
  }

  /** Scripted accounts' labels: every post they write without its own label carries theirs. */
  setAccountLabels(labels: ReadonlyMap<number, string>): void {
    for (const [user, label] of labels) this.state.accountLabels.set(user, label);
  }

  /** A live post's id among `author`'s posts created at `step` (index-th, oldest first). */
  postOf(author: number, step: number, index: number): number | undefined {
    return this.state.postIdsOf(author).filter((id) => {
      const p = this.state.posts.get(id);
      return p !== undefined && p.createdStep === step && p.kind !== 'repost';
    })[index];
  }

  /** Records run-level facts in `meta` (e.g. that the run reads feeds in browse mode). */
  setMeta(entries: Readonly<Record<string, string>>): Promise<void> {
    return this.db.setMeta(entries);
  }

  /** Text embeddings of `model` stored by earlier steps, by text hash. */
  storedEmbeddings(model: string): Promise<Map<string, Float32Array>> {
    return readEmbeddings((sql) => this.db.query(sql), model);
  }

  /** A post's text, whatever its state (for embedding what agents engaged with). */
  postText(postId: number): string | undefined {
    return this.state.posts.get(postId)?.text;
  }


  /** The learned recommender state stored with the last committed refresh, if `kind` wrote one. */
  recsysState(kind: string): Promise<Uint8Array | null> {
    return storedRecsysState(this.db, kind);
  }

  /**
   * Opens the step's transaction after its decisions, before its actions apply: the
   * recommender's lists go into DuckDB meanwhile (step-transaction.ts). Then apply, and
   * commitStep — or abandonStep if the step is given up.
   */
  async openStep(batch: StepBatch): Promise<void> {
    if (this.openTx) throw new Error(`step ${this.openTx.batch.step} is still open`);
    this.openTx = await StepTransaction.open(this.db, batch);
  }

  /** Rolls back the step openStep opened, if it was not committed (an abort, a failure while its actions applied). */
  async abandonStep(): Promise<void> {
    const tx = this.openTx;
    this.openTx = undefined;
    await tx?.abandon();
  }

  async commitStep(batch: StepBatch, activeAgents: number): Promise<StepSummary> {
    if (this.openTx && this.openTx.batch !== batch) throw new Error(`step ${this.openTx.batch.step} is open, not ${batch.step}`);
    const tx = this.openTx ?? (await StepTransaction.open(this.db, batch));
    this.openTx = undefined;
    await tx.commit(async () => {
      const fault = injectedFault('commit', batch.step);
      if (fault) {
        // As a COMMIT that fails on a full disk: DuckDB drops the transaction, then reports.
        await this.db.exec('ROLLBACK');
        throw fault;
      }
      await writeBatch(this.db.connection, batch, this.nextSeq);
      await writeInterventions(this.db.connection, batch);
      await writeHerding(this.db.connection, batch);
      await writeEmbeddings(this.db.connection, batch.embeddings);
      if (batch.recsysState) {
        await this.db.exec('DELETE FROM recsys_state');
        await this.db.exec('INSERT INTO recsys_state VALUES ($1, $2, $3)', [batch.step, batch.recsysState.kind, blobValue(batch.recsysState.bytes)]);
      }
      // Literals, not parameters: a prepared statement takes three round trips into DuckDB.
      const time = `make_timestamp(${sqlInt(Math.round(batch.simTimeMs) * 1000)})`;
      await this.db.exec(`INSERT INTO steps VALUES (${[sqlInt(batch.step), time, ...[activeAgents, batch.trace.length, batch.failed].map(sqlInt)].join(', ')})`);
    });
    this.nextSeq += batch.trace.length;
    this.lastCommittedStep = batch.step;
    this.applyCtx = undefined; // nor keep the step's batch (a million trace rows) alive through the next step's decisions
    if (this.memoryWindow !== undefined) await evictBefore(this.db, this.state, batch.step + 1 - this.memoryWindow);
    return stepSummary(batch);
  }



  /** Steps committed and their actions, from `steps`: what run.json's totals say, whatever happened to run.json. */
  totals(): Promise<{ steps: number; actions: number; failed: number }> {
    return committedTotals(this.db);
  }

  /** These committed steps' rows as commitStep reports them: the events.jsonl lines a crash lost. */
  stepRows(steps: readonly number[]): Promise<CommittedStep[]> {
    return committedStepRows(this.db, steps);
  }

  /** Closes the file (checkpointing it); the mirror stays readable. */
  close(): Promise<void> {
    return this.db.close();
  }

  private async inTransaction(work: () => Promise<void>): Promise<void> {
    await this.db.exec('BEGIN TRANSACTION');
    try {
      await work();
      await this.db.exec('COMMIT');
    } catch (err) {
      // A failed COMMIT (a full disk) has already dropped the transaction; ROLLBACK then fails
      // with "no transaction is active", which must not hide the first cause.
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

}

/** Whether an id is one of the imported accounts: a flat array when the ids are small non-negative integers (they are ours), else the Map. */
function accountTest(users: readonly UserRow[], all: ReadonlyMap<number, unknown>): (id: number) => boolean {
  let max = -1;
  for (const u of users) {
    if (!Number.isInteger(u.userId) || u.userId < 0 || u.userId > 0x3fffffff) return (id) => all.has(id);
    if (u.userId > max) max = u.userId;
  }
  const known = new Uint8Array(max + 1);
  for (const u of users) known[u.userId] = 1;
  return (id) => id >= 0 && id <= max && known[id] === 1;
}
