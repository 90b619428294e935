/**
 * The experiment as the engine sees it: every default filled in by the JSON Schema
 * (`schemas/experiment.schema.json`), durations parsed, frozen. Only `src/config/` builds one.
 * Field names mirror the YAML keys (snake_case) so a user can map one to the other by eye.
 */

export interface Experiment {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** The folder input files (dataset, prompts, posts files) may come from besides the experiment's own; absolute once loaded. */
  readonly data_root?: string;
  /** Lets input files come from anywhere (still regular files only). */
  readonly allow_outside_paths?: boolean;
  readonly clock: ClockConfig;
  readonly dataset: DatasetConfig;
  readonly models: Readonly<Record<string, ModelConfig>>;
  /** Machines `plan`/`launch` spread model servers over; absent = this machine (`--gpus`). */
  readonly cluster?: ClusterConfig;
  readonly cohorts: readonly CohortConfig[];
  readonly activation: ActivationConfig;
  readonly recsys: RecsysConfig;
  /** Page-by-page feed reading; absent = agents read the top of their feed in one go. */
  readonly browse?: BrowseConfig;
  readonly platform: PlatformConfig;
  readonly seeds: readonly SeedAgentConfig[];
  /** Counter-measures at given steps; absent = none. */
  readonly interventions?: readonly InterventionConfig[];
  readonly budget?: BudgetConfig;
  readonly surveys: readonly SurveyConfig[];
  /** The herding experiment (seeded up/down votes on new posts); absent = none. */
  readonly herding?: HerdingConfig;
  readonly report: ReportConfig;
  /** How reports read the run (tracked posts, cascade horizon); not part of the config hash. */
  readonly analysis?: AnalysisConfig;
  /** Parameter sweep for `socialsim sweep`; absent in the experiment of each sweep run. */
  readonly sweep?: SweepConfig;
  /** LLM requests go to `socialsim worker` processes through Redis; not part of the config hash. */
  readonly distributed?: DistributedConfig;
  /**
   * Derived by the loader: the time-like settings written as a duration (`recsys.window: 6h`)
   * or per hour (`activity: { per_hour: 0.3 }`), which the fields above hold converted to
   * steps and per-step probabilities (src/config/durations.ts). The resolved YAML and the
   * config hash show them as written. Absent when every such setting was a plain number.
   */
  readonly as_written?: readonly WrittenSetting[];
}

/** A time-like value as written, at its path in the experiment (e.g. `['recsys', 'window']`). */
export interface WrittenSetting {
  readonly path: readonly (string | number)[];
  readonly value: string | { readonly per_hour: number };
}

export interface ClusterConfig {
  /** In packing order. */
  readonly hosts: readonly ClusterHost[];
  /** The ssh program and its options (SOCIALSIM_SSH replaces it). */
  readonly ssh_command: readonly string[];
  /** Where PID files of launched servers live on each host. */
  readonly pid_dir: string;
}

export interface ClusterHost {
  readonly name: string;
  readonly gpus: number;
  /** Host name or IP the servers listen on and the run connects to. */
  readonly address: string;
  /** `user@host` or `user`; absent = ssh to the address as oneself. */
  readonly ssh?: string;
}

export interface DistributedConfig {
  /** redis://host:port the coordinator and its workers share. */
  readonly redis: string;
  /** Seconds without an answer from Redis before the run stops, resumable (default 10). */
  readonly lost_after_s?: number;
}

export interface SweepConfig {
  /** Config path (as for `--set`) → the values to try. */
  readonly matrix: Readonly<Record<string, readonly unknown[]>>;
  readonly seeds?: readonly number[];
  readonly repeats?: number;
  /** Combinations to skip: path → value, all equal. */
  readonly exclude?: readonly Readonly<Record<string, unknown>>[];
}

export interface BudgetConfig {
  readonly max_requests?: number;
  readonly max_tokens?: number;
  readonly max_cost_usd?: number;
  readonly on_exhausted: 'stop' | 'fallback';
}

export interface SurveyConfig {
  readonly name: string;
  readonly at: readonly number[];
  readonly question: string;
  readonly scale: { readonly min: number; readonly max: number; readonly labels?: readonly [string, string] };
  readonly sample: number;
  /** Cohorts asked; absent = every LLM cohort. */
  readonly cohorts?: readonly string[];
}

export interface ClockConfig {
  readonly timesteps: number;
  /** As written, e.g. "1h", "15m", "30s", "1d". */
  readonly step: string;
  /** `step` in milliseconds, derived by the loader. */
  readonly step_ms: number;
  /** ISO-8601 instant of step 0. */
  readonly start: string;
}

export interface DatasetConfig {
  readonly generate: GenerateConfig;
  /** Real accounts (personas for cohorts with `personas: dataset | mixed`). */
  readonly users?: UsersTableConfig;
  /** Who follows whom among `users`. */
  readonly follows?: DatasetTableConfig<FollowColumn>;
  /** Real posts by `users`. */
  readonly posts?: DatasetTableConfig<PostColumn>;
  /** Real propagation trees (Twitter15/16 shape), reference data for reports. */
  readonly cascades?: DatasetTableConfig<CascadeColumn>;
}

export type UserColumn =
  | 'id'
  | 'username'
  | 'name'
  | 'bio'
  | 'created_at'
  | 'followers_count'
  | 'following_count'
  | 'interests'
  | 'following'
  | 'activity_profile'
  | 'previous_posts'
  | 'character';
/**
 * What a users file's `following` list holds: `row_index`, 0-based positions of data rows of the
 * same file (OASIS's following_agentid_list); `id`, values of its `id` column.
 */
export type FollowingKind = 'row_index' | 'id';
export type FollowColumn = 'follower' | 'followee';
export type PostColumn = 'id' | 'author' | 'text' | 'time' | 'parent' | 'kind' | 'label' | 'track';
export type CascadeColumn = 'cascade' | 'user' | 'parent' | 'delay' | 'source_post';

/** The users file: a table, plus how to read its follow lists. */
export interface UsersTableConfig extends DatasetTableConfig<UserColumn> {
  /** Needed when the file has a `following` column; no default (it cannot be guessed). */
  readonly following_kind?: FollowingKind;
}

/** One file of a dataset. */
export interface DatasetTableConfig<C extends string = string> {
  /** As written: relative to the experiment file's folder, or absolute. */
  readonly path: string;
  /** Absent: from the extension (.csv, .jsonl / .ndjson, optionally + .gz). */
  readonly format?: 'csv' | 'jsonl' | 'parquet';
  /** Canonical field → the file's column (or JSON key) where the names differ. */
  readonly columns: Readonly<Partial<Record<C, string>>>;
  /** `fail`: the first bad row stops the load; `skip`: bad rows are counted and reported. */
  readonly on_bad_row: 'fail' | 'skip';
  /** Of a CSV or JSONL file; absent: utf-8, checked (invalid bytes stop the load at their line). */
  readonly encoding?: 'utf-8' | 'latin1';
}

export interface GenerateConfig {
  /** Topic vocabulary personas draw interests from. */
  readonly topics: readonly string[];
  /** Interests each generated persona has (1..topics.length). */
  readonly interests_per_agent: number;
  /** Mean out-degree of the generated initial follow graph (0 = nobody follows anybody). */
  readonly follows_per_agent: number;
  /** Share of follows that go to accounts sharing an interest (homophily), 0..1. */
  readonly homophily: number;
  /** Posts each agent already has at step 0, so the first feed is not empty. */
  readonly initial_posts_per_agent: number;
  /*
   * The fields below have no schema default (so adding them kept every config hash): absent,
   * generation is what it was before they existed. `src/data/generate-options.ts` fills them.
   */
  /** Topics on which every persona holds a stance in [-1, 1]. Default none. */
  readonly stance_topics?: readonly string[];
  /** 0: stances cluster around 0; 0.5: uniform; 1: piled up at ±1. Default 0. */
  readonly polarization?: number;
  /** Age band → relative weight. Default: a built-in adult social-media mix. */
  readonly age_bands?: Readonly<Record<string, number>>;
  /** How per-agent activity spreads around the cohort's mean. Default beta, concentration 4. */
  readonly activity_distribution?: ActivityDistributionConfig;
  /** `influence`: follows drawn ∝ a Pareto influence; `preferential`: growth by preferential attachment. Default influence. */
  readonly follow_model?: 'influence' | 'preferential';
  /** preferential: in-degree offset k0 (P(follow v) ∝ in-degree + k0; tail exponent ≈ 2 + k0 / follows_per_agent). Default 1. */
  readonly attachment_offset?: number;
  /** Chance a follow between opposite stances (Δ = 2) is refused; scales with the stance gap. Default 0. */
  readonly stance_homophily?: number;
}

export interface ActivityDistributionConfig {
  readonly kind: 'beta' | 'lognormal' | 'pareto';
  /** beta: α + β (higher = tighter around the mean). Default 4. */
  readonly concentration?: number;
  /** lognormal: σ of the log. Default 1. */
  readonly sigma?: number;
  /** pareto: tail index α (lower = heavier tail). Default 1.5. */
  readonly alpha?: number;
}

export type ModelConfig = StatisticalModelConfig | OpenAICompatibleModelConfig | OpenAIModelConfig;

/** The built-in agent model: no GPU, no key. Rates are per active agent per step. */
export interface StatisticalModelConfig {
  readonly provider: 'statistical';
  /** Probability an active agent writes an original post. */
  readonly post_prob: number;
  /** Base probability of liking a feed post with no topic match and no likes. */
  readonly like_base: number;
  /** Base probability of reposting a feed post. */
  readonly repost_base: number;
  /** Multiplier added per matching interest: p × (1 + topic_boost × matches). */
  readonly topic_boost: number;
  /** Multiplier on log1p(likes + reposts): p × (1 + popularity_weight × log1p(n)). */
  readonly popularity_weight: number;
  /** Probability of following the author of a post the agent engaged with. */
  readonly follow_on_engage: number;
  /** Probability of unliking one earlier-liked post in a step. */
  readonly unlike_prob: number;
  /** Probability of unfollowing one followee in a step. */
  readonly unfollow_prob: number;
  /** Probability of replying to one read post (a comment in its thread). */
  readonly reply_prob: number;
  /** Probability of quoting one read post with a templated comment. */
  readonly quote_prob: number;
  /** Probability of bookmarking one read post not bookmarked yet. */
  readonly bookmark_prob: number;
  /** Probability of muting the author of one read post. */
  readonly mute_prob: number;
  /** Base probability of disliking a read post: × (1 + popularity_weight × log1p(n)) / (1 + topic_boost × matches). */
  readonly dislike_base: number;
  /** Probability of reporting one read post that matches none of the agent's interests. */
  readonly report_prob: number;
  /** Probability of deleting one of the agent's own live posts. */
  readonly delete_prob: number;
  /** How many feed posts an agent reads per step (≤ recsys.feed_size). */
  readonly read_depth: number;
  /** Labels that make agents wary of a post (default ['disputed']). */
  readonly distrust_labels?: readonly string[];
  /** Multiplier on like/repost probabilities of such posts (default 0.2). */
  readonly distrust_factor?: number;
  /** Browse mode: base probability of opening a post on a page (default 0.3). */
  readonly view_prob?: number;
  /** Browse mode: probability of a next page after a page of no interest (default 0.2). */
  readonly next_page_base?: number;
  /** Browse mode: added per unit share of relevant posts on the page (default 0.7). */
  readonly next_page_relevance?: number;
}

/** Settings every LLM-backed model shares. */
export interface LlmModelCommon {
  readonly model: string;
  /** Requests in flight at once, per endpoint. */
  readonly max_concurrency: number;
  readonly temperature: number;
  readonly max_tokens: number;
  /** Deadline of one attempt, seconds. */
  readonly timeout_s: number;
  /** Retries after the first attempt for 429 / 5xx / timeouts / dropped connections. */
  readonly max_retries: number;
  /**
   * Longest time without any endpoint in rotation before the run stops (interrupted, resumable):
   * a duration (`120s`, `5m`) or seconds. Read through `maxOutageMs` (src/llm/settings.ts).
   */
  readonly max_outage: string | number;
  readonly tool_mode: 'tools' | 'json';
  /** Actions offered to its agents; absent = all. */
  readonly actions?: readonly string[];
  /** Merged into every request body. */
  readonly extra_body: Readonly<Record<string, unknown>>;
  /** Template paths, absolute (the loader resolves them against the experiment file). */
  readonly prompts: { readonly system?: string; readonly user?: string };
  /** Own recent actions recalled in the prompt. */
  readonly memory: number;
  /** Context window in tokens: prompts are trimmed to fit it with max_tokens to spare. */
  readonly context_tokens: number;
  readonly budget?: BudgetConfig;
  /** Exponential backoff between retries, seconds. */
  readonly backoff: { readonly base_s: number; readonly max_s: number };
  /** USD per million tokens. */
  readonly price?: { readonly prompt?: number; readonly completion?: number };
}

export interface OpenAICompatibleModelConfig extends LlmModelCommon {
  readonly provider: 'openai-compatible';
  /** Replica base URLs; or `host` + `ports` (exactly one of the two forms). */
  readonly endpoints?: readonly string[];
  readonly host: string;
  /** With a cluster: host names its instances may go on. */
  readonly hosts?: readonly string[];
  readonly ports?: readonly number[];
  readonly api_key_env?: string;
  readonly gpus?: readonly number[];
  /** GPUs per server instance (tensor parallel size). */
  readonly gpus_per_instance: number;
  /** How `socialsim launch` starts an instance. */
  readonly serve: { readonly command: string; readonly ready_timeout_s: number };
}

export interface OpenAIModelConfig extends LlmModelCommon {
  readonly provider: 'openai';
  readonly api_key_env: string;
  readonly base_url?: string;
}

export interface CohortConfig {
  readonly name: string;
  readonly count: number;
  /** Key into `models`. */
  readonly model: string;
  /**
   * Where personas come from: `generated`; `dataset`: the next `count` users of
   * `dataset.users` in file order; `mixed`: dataset users while any are left, then generated.
   */
  readonly personas: 'generated' | 'dataset' | 'mixed';
  /**
   * Mean probability that an agent of this cohort acts in a step (before the hourly profile).
   * Written `{ per_hour: p }`, it is 1 − (1 − p)^(step in hours), and `hourly_activity` is set.
   */
  readonly activity: number;
  /**
   * Derived by the loader when `activity` was written `{ per_hour }`: personas are drawn around
   * the hourly probability and each agent's converted to the step (src/data/activity.ts).
   */
  readonly hourly_activity?: { readonly per_hour: number; readonly step_hours: number };
}

export interface ActivationConfig {
  /**
   * `flat`: every hour alike. `diurnal`: a built-in daily curve (quiet at night, peaks in the
   * evening). `custom`: `hourly` gives 24 relative weights, hour 0 = midnight UTC.
   */
  readonly profile: 'flat' | 'diurnal' | 'custom';
  readonly hourly?: readonly number[];
}

export type RecsysKind = 'random' | 'popularity' | 'reddit-hot' | 'twitter' | 'interest' | 'trace' | 'mf' | 'lightgcn' | 'multvae';

/**
 * The feed recommender. Algorithm parameters sit beside `kind` and have no schema defaults
 * (each algorithm file holds its own), so adding one does not change every config hash;
 * parameters of other kinds are ignored, which lets a sweep over `kind` carry them all.
 */
export interface RecsysConfig {
  readonly kind: RecsysKind;
  /** Recompute feeds every N steps (1 = every step); a duration is converted by the loader. */
  readonly refresh_every: number;
  /** Posts per agent feed. */
  readonly feed_size: number;
  /** Only posts from the last N steps are candidates; a duration is converted by the loader. */
  readonly window: number;
  /** twitter: share of the feed from followees, 0..1. */
  readonly in_network_share?: number;
  /** twitter, interest: a post's score halves every this many steps of age (fractional; a duration is converted). */
  readonly recency_half_life?: number;
  /** interest, twitter: key in `models` of the embedding model that replaces TF-IDF. */
  readonly embedding_model?: string;
  /** Share of each feed from the home timeline (followees' newest posts and reposts); default per kind, see `homeTimelineShare`. */
  readonly home_timeline?: number;
  /** twitter: weight of log1p(likes + reposts) in the score. */
  readonly engagement_weight?: number;
  /** trace: similar items kept per liked item. */
  readonly neighbors?: number;
  /** mf, lightgcn: embedding size; multvae: latent size. */
  readonly factors?: number;
  /** multvae: hidden layer width. */
  readonly hidden?: number;
  /** lightgcn: propagation layers. */
  readonly layers?: number;
  /** mf, lightgcn, multvae: training passes over the interactions at each refresh. */
  readonly epochs?: number;
  readonly learning_rate?: number;
  /** mf, lightgcn: L2 weight. */
  readonly regularization?: number;
  /** multvae: the KL term's weight (β). */
  readonly kl_weight?: number;
  /** multvae: input dropout. */
  readonly dropout?: number;
}

export interface BrowseConfig {
  readonly page_size: number;
  readonly max_pages: number;
}

/** Rules of the simulated platform itself. */
export interface PlatformConfig {
  /** Distinct reporters that flag a post (flagged posts leave the recommender's candidates). */
  readonly report_threshold: number;
  /** Algorithm of search_posts / search_users; default bm25 (left unset by the loader). */
  readonly search?: 'substring' | 'bm25';
  /** What the trends action returns; default hashtags over 6 steps, top 10. */
  readonly trends?: TrendsConfig;
  /** Steps of posts kept in memory (engine/memory-window.ts); a duration is converted by the loader. */
  readonly memory_window?: number;
}

export interface TrendsConfig {
  readonly algorithm: 'most_liked' | 'velocity' | 'hashtags';
  /** Steps a trend looks back over, the current step included; a duration is converted by the loader. */
  readonly window: number;
  readonly limit: number;
}

export interface SeedAgentConfig {
  readonly name: string;
  /** 'other' is the older spelling of 'custom'. */
  readonly kind: 'news' | 'celebrity' | 'misinformation' | 'custom' | 'other';
  /** Carried on every post it makes unless the scripted post has its own. */
  readonly label?: string;
  /** Share of agents that follow this account at step 0, 0..1. */
  readonly followed_by: number;
  /** Agents with any of these interests follow it at step 0 too. */
  readonly followed_by_interests?: readonly string[];
  readonly bio: string;
  /** Inline posts and, after loading, those of `posts_file` (sorted by step, stable). */
  readonly posts: readonly ScriptedPost[];
  /** Absolute path after loading; kept for provenance, its posts are already in `posts`. */
  readonly posts_file?: string;
  /** Model key: the account also acts each step like an agent, in character. */
  readonly model?: string;
  readonly interests?: readonly string[];
  /** With `model`: probability of acting in a step before the hourly profile (default 1; `{ per_hour }` is converted by the loader). */
  readonly activity?: number;
}

export type InterventionConfig =
  | (InterventionBase & { readonly action: 'label_post'; readonly label: string } & PostTarget)
  | (InterventionBase & { readonly action: 'delete_post' } & PostTarget)
  | (InterventionBase & { readonly action: 'suspend_account'; readonly account?: string; readonly user_id?: number })
  | (InterventionBase & { readonly action: 'set_recsys'; readonly recsys: Partial<RecsysConfig> });

interface InterventionBase {
  readonly at: number;
}

/** Exactly one of the two (the loader checks). */
export interface PostTarget {
  readonly post?: { readonly seed: string; readonly at: number; readonly index: number };
  readonly post_id?: number;
}

export interface ScriptedPost {
  /** Step at which it is posted. */
  readonly at: number;
  readonly text: string;
  /** Free label carried into the data, e.g. "misinformation", "fact-check". */
  readonly label?: string;
}

export interface ReportConfig {
  /** How many posts the "top posts" table lists. */
  readonly top_posts: number;
  /** Write report.html at the end of `socialsim run`. */
  readonly auto: boolean;
}

export interface AnalysisConfig {
  /** Analyses `run` computes into analysis.duckdb (default: all). */
  readonly enable?: readonly string[];
  readonly track?: {
    readonly top?: number;
    readonly labels?: readonly string[];
    readonly seeds?: boolean;
    readonly posts?: readonly number[];
    readonly dataset_posts?: readonly string[];
  };
  readonly cascades?: { readonly horizon?: string };
  /** The stance analysis: `judge` names an LLM model (a key of `models`) that labels posts. */
  readonly stance?: { readonly judge?: string };
}

/** The herding experiment (Muchnik, Aral & Taylor 2013); see src/engine/herding.ts. */
export interface HerdingConfig {
  /** What is treated: agents' new posts (originals and quotes). Comments are refused by the schema. */
  readonly target: 'posts';
  /** Share of eligible posts that enter the experiment (the rest are neither treated nor recorded). */
  readonly share: number;
  /** Relative weights of the three arms. */
  readonly arms: { readonly up: number; readonly down: number; readonly control: number };
  /** First creation step whose posts are eligible. */
  readonly from_step: number;
  /** Last creation step whose posts are eligible; absent = through the last step. */
  readonly until_step?: number;
  /** Steps after treatment the analysis follows a post; absent = recsys.window. */
  readonly horizon?: number;
}
