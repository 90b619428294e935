/**
 * The tables of a run's `sim.duckdb`. Their names and columns are part of the product: users
 * query them directly from the duckdb CLI or Python, so keep them stable and documented in the
 * README. No PRIMARY KEY / UNIQUE constraints: DuckDB's indexes slow the per-step appenders
 * several-fold, and the channel enforces uniqueness itself before anything is written.
 */
// 3: direct_messages, groups, group_members, group_messages, lists, list_members, list_pins;
// impressions from search, trends, timelines and lists. Older files gain the empty tables on open.
// 4: where reposts, quotes and replies came from (posts.via_post_id / via_source), impressions
// through a followee's repost (impressions.via_post_id, source 'home'), dataset_posts; older
// files gain the columns (NULL: not recorded) on open, see CHANNEL_MIGRATIONS.
// 5: dataset_posts.real_time, when a dataset post was made (older files: NULL).
// 6: llm_prompts, the messages of every request; older files gain the empty table on open (their
// requests' prompts were never recorded, and readers say so).
export const SCHEMA_VERSION = 6;

export const CHANNEL_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR NOT NULL,
    value VARCHAR NOT NULL
  )`,
  // One row per account: agents of every cohort and the scripted seed accounts.
  `CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER NOT NULL,
    username VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    bio VARCHAR NOT NULL,
    cohort VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,          -- 'agent' | 'seed' | 'platform' (the herding experiment's voter)
    persona JSON NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // Originals, reposts, quotes and comments share one table; parent_id points at the source.
  `CREATE TABLE IF NOT EXISTS posts (
    post_id BIGINT NOT NULL,
    author_id INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,          -- 'original' | 'repost' | 'quote' | 'comment'
    parent_id BIGINT,
    created_step INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,  -- simulated time
    label VARCHAR,                  -- scripted posts' label, e.g. 'misinformation'
    root_id BIGINT,                 -- the thread's original post (own id for originals and quotes); NULL for reposts
    deleted_step INTEGER,           -- step its author deleted it; NULL while live
    flagged_step INTEGER,           -- step it reached platform.report_threshold reports; NULL if not flagged
    hidden_step INTEGER,            -- step the replied-to post's author hid this reply; NULL if shown
    via_post_id BIGINT,             -- reposts, quotes, replies: the post it was seen as (a followee's repost, or the post itself)
    via_source VARCHAR              -- where that was: impressions.source of it this step; NULL if not shown this step
  )`,
  `CREATE TABLE IF NOT EXISTS follows (
    follower_id INTEGER NOT NULL,
    followee_id INTEGER NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS likes (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS dislikes (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS bookmarks (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // user_id does not see muted_id's posts in its feed or timelines.
  `CREATE TABLE IF NOT EXISTS mutes (
    user_id INTEGER NOT NULL,
    muted_id INTEGER NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS reports (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    reason VARCHAR,
    created_step INTEGER NOT NULL
  )`,
  // At most one pinned post per user; pinning another replaces the row.
  `CREATE TABLE IF NOT EXISTS pins (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // repost_id is the posts row (kind 'repost') the repost created.
  `CREATE TABLE IF NOT EXISTS reposts (
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    repost_id BIGINT NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // The recommender's output: at `step`, `user_id`'s feed holds `post_id` at `rank` (0 = top).
  `CREATE TABLE IF NOT EXISTS rec (
    step INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    rank INTEGER NOT NULL
  )`,
  // Every post an active agent was shown in its observation (after filtering), rank 0 = top.
  `CREATE TABLE IF NOT EXISTS impressions (
    step INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    post_id BIGINT NOT NULL,
    rank INTEGER NOT NULL,
    source VARCHAR NOT NULL,        -- 'recsys' | 'home' | 'search' | 'trend' | 'timeline' | 'list'
    via_post_id BIGINT              -- home timeline: the followee's repost it was shown through; NULL if shown as itself
  )`,
  // Every action an agent attempted, applied or rejected, in the order it was applied.
  `CREATE TABLE IF NOT EXISTS trace (
    step INTEGER NOT NULL,
    seq INTEGER NOT NULL,           -- order of application within the run
    sim_time TIMESTAMP NOT NULL,
    agent_id INTEGER NOT NULL,
    action VARCHAR NOT NULL,
    args JSON NOT NULL,
    ok BOOLEAN NOT NULL,
    result JSON,
    error VARCHAR
  )`,
  // Every request made to a language model, with what it cost and how it ended.
  `CREATE TABLE IF NOT EXISTS llm_calls (
    step INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    cohort VARCHAR NOT NULL,
    model VARCHAR NOT NULL,         -- the experiment's model key
    endpoint VARCHAR NOT NULL,      -- base URL that served the final attempt
    latency_ms DOUBLE NOT NULL,     -- wall time of all attempts, backoff included
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,       -- 'ok' | rate_limited | server_error | timeout | connection | client_error | bad_response | no_endpoint
    error VARCHAR,
    request_hash VARCHAR            -- sha256 of model, messages, tools and sampling settings
  )`,
  // The answer to every distinct request: what \`socialsim run --replay\` answers from.
  `CREATE TABLE IF NOT EXISTS llm_responses (
    request_hash VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    response JSON NOT NULL          -- the assistant message as returned (content, tool_calls)
  )`,
  // The prompt of every distinct request, answered, failed or turned away by a budget: the chat
  // messages (system, user, and a repair or next-page turn's assistant and tool messages) with
  // the run's API keys redacted. Not the tool schemas: every request of a model sends the same
  // ones (the action registry's). Written with llm_responses, one row per request hash of a step.
  `CREATE TABLE IF NOT EXISTS llm_prompts (
    request_hash VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    messages JSON NOT NULL          -- [{role, content, …}] as sent
  )`,
  // Answers to the experiment's surveys (asked at the start of the step, before agents act).
  `CREATE TABLE IF NOT EXISTS survey_answers (
    survey VARCHAR NOT NULL,
    step INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    cohort VARCHAR NOT NULL,
    question VARCHAR NOT NULL,
    answer INTEGER,                 -- on the survey's scale; NULL when no valid answer came
    raw VARCHAR,                    -- what the model replied
    error VARCHAR
  )`,
  // Reference data from the experiment's dataset, kept as loaded so reports can set the
  // simulation beside reality. Cascade nodes keep the file's own ids (cascades stand alone);
  // real_posts and real_follows use the platform's user ids of the imported accounts.
  `CREATE TABLE IF NOT EXISTS real_cascades (
    cascade_id VARCHAR NOT NULL,
    node_id VARCHAR NOT NULL,       -- a user in the cascade (the source's author for the root)
    parent_id VARCHAR,              -- who it reposted from; NULL for the root
    delay_s DOUBLE NOT NULL,        -- seconds after the source post
    source_post VARCHAR             -- dataset id of the source post (dataset_posts.dataset_id) when known
  )`,
  `CREATE TABLE IF NOT EXISTS real_posts (
    author_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,          -- 'original' | 'repost' | 'quote' | 'comment'
    created_at TIMESTAMP
  )`,
  `CREATE TABLE IF NOT EXISTS real_follows (
    follower_id INTEGER NOT NULL,
    followee_id INTEGER NOT NULL
  )`,
  // Opening posts imported from dataset.posts: the file's id of each, so real cascades can be
  // paired with the simulated cascade of their source post, and the researcher's track flag.
  `CREATE TABLE IF NOT EXISTS dataset_posts (
    post_id BIGINT NOT NULL,
    dataset_id VARCHAR NOT NULL,
    track BOOLEAN NOT NULL,
    real_time TIMESTAMP             -- when it was posted in the dataset; NULL when the file gives no time
  )`,
  // Messages: one id sequence for direct and group messages, so ids order them across both.
  `CREATE TABLE IF NOT EXISTS direct_messages (
    message_id BIGINT NOT NULL,
    sender_id INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS groups (
    group_id INTEGER NOT NULL,
    creator_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // Membership history: leaving sets left_step; joining again adds a row.
  `CREATE TABLE IF NOT EXISTS group_members (
    group_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    joined_step INTEGER NOT NULL,
    left_step INTEGER               -- NULL while a member
  )`,
  `CREATE TABLE IF NOT EXISTS group_messages (
    message_id BIGINT NOT NULL,
    group_id INTEGER NOT NULL,
    sender_id INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS lists (
    list_id INTEGER NOT NULL,
    owner_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // Current members (removing one deletes the row, like an unfollow).
  `CREATE TABLE IF NOT EXISTS list_members (
    list_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS list_pins (
    user_id INTEGER NOT NULL,
    list_id INTEGER NOT NULL,
    created_step INTEGER NOT NULL
  )`,
  // The learned recommender's state as of its last refresh (one row, replaced at each), so a
  // resumed run warm-starts from the same model the uninterrupted run would have.
  `CREATE TABLE IF NOT EXISTS recsys_state (
    step INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    state BLOB NOT NULL
  )`,
  // Text embeddings of recsys.embedding_model (see embeddings.ts): vector = float32 bytes.
  `CREATE TABLE IF NOT EXISTS embeddings (
    model VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,
    vector BLOB NOT NULL
  )`,
  // What the experimenter did to the platform (experiment.interventions), applied or refused.
  `CREATE TABLE IF NOT EXISTS interventions (
    step INTEGER NOT NULL,
    action VARCHAR NOT NULL,        -- 'label_post' | 'delete_post' | 'suspend_account' | 'set_recsys'
    target VARCHAR,                 -- the post or user id acted on; NULL for set_recsys
    detail JSON NOT NULL,           -- the intervention as configured (label, recsys settings)
    ok BOOLEAN NOT NULL,
    error VARCHAR
  )`,
  // One row per committed step: the checkpoint a resumed run continues after.
  `CREATE TABLE IF NOT EXISTS steps (
    step INTEGER NOT NULL,
    sim_time TIMESTAMP NOT NULL,
    active_agents INTEGER NOT NULL,
    actions INTEGER NOT NULL,
    failed_actions INTEGER NOT NULL
  )`,
  // The herding experiment (experiment.herding): each enrolled post's arm. The treatment vote
  // (a like for up, a dislike for down) is in likes / dislikes, cast by the users row of kind
  // 'platform' in the step the post was written, so it shows from the post's first appearance.
  `CREATE TABLE IF NOT EXISTS herding (
    post_id BIGINT NOT NULL,
    arm VARCHAR NOT NULL,           -- 'up' | 'down' | 'control'
    step INTEGER NOT NULL           -- step the post was written and treated
  )`,
];

/**
 * Columns added after a table first shipped, for files made before: DuckDB appends them at the
 * end, which is where the DDL above lists them, so old and new files have one column order.
 */
/**
 * Per-connection staging tables a step fills and empties (list-writes.ts): the feeds (`rec`)
 * and the shared part of impressions (`feed`), each as (user → list) and (list → ranked posts)
 * for one join; and the home-mixed impressions as plain numbers. Temporary: never in the file.
 */
export const STAGING_DDL: readonly string[] = [
  ...['rec', 'feed'].flatMap((name) => [
    `CREATE TEMP TABLE IF NOT EXISTS ${name}_users (user_id INTEGER, feed_key INTEGER)`,
    `CREATE TEMP TABLE IF NOT EXISTS ${name}_posts (feed_key INTEGER, post_id BIGINT, rank INTEGER)`,
  ]),
  'CREATE TEMP TABLE IF NOT EXISTS feed_impressions_packed (k DOUBLE, post_id DOUBLE, origin DOUBLE)',
];

export const CHANNEL_MIGRATIONS: readonly string[] = [
  'ALTER TABLE posts ADD COLUMN IF NOT EXISTS via_post_id BIGINT',
  'ALTER TABLE posts ADD COLUMN IF NOT EXISTS via_source VARCHAR',
  'ALTER TABLE impressions ADD COLUMN IF NOT EXISTS via_post_id BIGINT',
  'ALTER TABLE real_cascades ADD COLUMN IF NOT EXISTS source_post VARCHAR',
  'ALTER TABLE dataset_posts ADD COLUMN IF NOT EXISTS real_time TIMESTAMP',
];

/**
 * Tables whose contents define a run's outcome: every table a run writes, which the resume,
 * replay, branch and determinism tests checksum. Left out, by nature: `llm_calls` (latencies,
 * endpoints and attempts vary from run to run; its outcomes show in `trace`) — checked by
 * `CHANNEL_TABLES_LEFT_OUT` against the DDL so no new table is forgotten.
 */
export const CHANNEL_TABLES = [
  'users',
  'posts',
  'follows',
  'likes',
  'dislikes',
  'reposts',
  'bookmarks',
  'mutes',
  'reports',
  'pins',
  'rec',
  'embeddings',
  'impressions',
  'direct_messages',
  'groups',
  'group_members',
  'group_messages',
  'lists',
  'list_members',
  'list_pins',
  'trace',
  'steps',
  'interventions',
  'dataset_posts',
  'herding',
  'real_posts',
  'real_follows',
  'real_cascades',
  'survey_answers',
  'llm_responses',
  'llm_prompts',
  'recsys_state',
  'meta',
] as const;

/** Tables a run writes that are not part of its outcome (see CHANNEL_TABLES). */
export const CHANNEL_TABLES_LEFT_OUT = ['llm_calls'] as const;
export type ChannelTable = (typeof CHANNEL_TABLES)[number];
