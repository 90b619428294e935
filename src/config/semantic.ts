/**
 * Checks the schema cannot express: cross references, uniqueness, bounds that depend on other
 * fields. Runs on the default-filled data even when the schema found problems, so it reads
 * everything defensively and stays silent about values the schema already rejects.
 */
import type { PathSegment } from './issues.js';
import type { RawIssue } from './messages.js';
import { hasUserinfo } from './secrets.js';
import { didYouMean } from './suggest.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const recs = (v: unknown): [number, Rec][] =>
  Array.isArray(v) ? v.flatMap((x, i): [number, Rec][] => (isRec(x) ? [[i, x]] : [])) : [];
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export const API_KEY_MESSAGE =
  'API keys never go in YAML; put the key in an environment variable and name it with api_key_env';

/** Every `api_key` key anywhere under `models`. */
function apiKeys(node: unknown, path: PathSegment[], out: RawIssue[]): void {
  if (Array.isArray(node)) node.forEach((x, i) => apiKeys(x, [...path, i], out));
  else if (isRec(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'api_key') out.push({ segments: [...path, k], kind: 'key', message: API_KEY_MESSAGE });
      apiKeys(v, [...path, k], out);
    }
  }
}

const CREDENTIALS_MESSAGE =
  'must not hold a user name or password (user:password@host): credentials would be stored in experiment.resolved.yaml, run.json and every llm_calls row; ' +
  'put the key in an environment variable and name it with api_key_env';

/** Endpoint URLs carry no credentials; api_key_env names a variable rather than holding the key. */
function urlChecks(name: string, m: unknown, out: RawIssue[]): void {
  if (!isRec(m)) return;
  const at = (...rest: PathSegment[]): PathSegment[] => ['models', name, ...rest];
  if (Array.isArray(m.endpoints)) {
    m.endpoints.forEach((u, i) => {
      if (typeof u === 'string' && hasUserinfo(u)) out.push({ segments: at('endpoints', i), kind: 'value', message: CREDENTIALS_MESSAGE });
    });
  }
  if (typeof m.base_url === 'string' && hasUserinfo(m.base_url)) out.push({ segments: at('base_url'), kind: 'value', message: CREDENTIALS_MESSAGE });
  if (typeof m.host === 'string' && m.host.includes('@')) out.push({ segments: at('host'), kind: 'value', message: CREDENTIALS_MESSAGE });
  if (typeof m.api_key_env === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.api_key_env)) {
    out.push({ segments: at('api_key_env'), kind: 'value', message: 'must be the name of an environment variable (letters, digits and _, e.g. OPENAI_API_KEY), not the key itself (the value is not shown)' });
  }
}

function uniqueNames(list: unknown, root: string, what: string, out: RawIssue[]): void {
  const seen = new Map<string, number>();
  for (const [i, item] of recs(list)) {
    const name = item.name;
    if (typeof name !== 'string') continue;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else out.push({ segments: [root, i, 'name'], kind: 'value', message: `duplicate ${what} name "${name}" (already used by ${root}[${first}])` });
  }
}

export function semanticChecks(data: Rec): RawIssue[] {
  const out: RawIssue[] = [];
  apiKeys(data.models, ['models'], out);

  const models = isRec(data.models) ? Object.keys(data.models) : undefined;
  for (const [i, c] of recs(data.cohorts)) {
    if (models && typeof c.model === 'string' && !models.includes(c.model)) {
      const defined = models.length > 0 ? `models defined: ${models.join(', ')}` : 'no models are defined';
      out.push({
        segments: ['cohorts', i, 'model'],
        kind: 'value',
        message: `unknown model "${c.model}"; ${defined}${didYouMean(c.model, models)}`,
      });
    }
  }
  for (const [name, m] of isRec(data.models) ? Object.entries(data.models) : []) {
    if (isRec(m) && isInt(m.context_tokens) && isInt(m.max_tokens) && m.context_tokens - m.max_tokens < 1024) {
      out.push({
        segments: ['models', name, 'context_tokens'],
        kind: 'value',
        message: `must leave at least 1024 tokens for the prompt after max_tokens (${m.max_tokens}), got ${m.context_tokens}`,
      });
    }
    urlChecks(name, m, out);
    if (!isRec(m) || m.provider !== 'openai-compatible') continue;
    const has = (k: string): boolean => m[k] !== undefined;
    if (has('endpoints') === has('ports')) {
      out.push({
        segments: ['models', name, has('endpoints') ? 'ports' : 'endpoints'],
        kind: has('endpoints') ? 'key' : 'parent',
        message: has('endpoints')
          ? 'give either endpoints or host + ports, not both'
          : 'missing endpoints: list the replicas\' base URLs in endpoints, or give host + ports',
      });
    }
  }
  embeddingModelChecks(data, out);
  datasetChecks(data, out);
  uniqueNames(data.cohorts, 'cohorts', 'cohort', out);
  uniqueNames(data.seeds, 'seeds', 'seed', out);
  uniqueNames(data.surveys, 'surveys', 'survey', out);
  const cohortNames = recs(data.cohorts).map(([, c]) => c.name).filter((n): n is string => typeof n === 'string');
  for (const [i, survey] of recs(data.surveys)) {
    const scale = isRec(survey.scale) ? survey.scale : {};
    if (isInt(scale.min) && isInt(scale.max) && scale.min >= scale.max) {
      out.push({ segments: ['surveys', i, 'scale', 'max'], kind: 'value', message: `must be greater than scale.min (${scale.min}), got ${scale.max}` });
    }
    if (Array.isArray(survey.cohorts)) {
      survey.cohorts.forEach((c, k) => {
        if (typeof c === 'string' && !cohortNames.includes(c)) {
          out.push({ segments: ['surveys', i, 'cohorts', k], kind: 'value', message: `unknown cohort "${c}"; cohorts: ${cohortNames.join(', ')}${didYouMean(c, cohortNames)}` });
        }
      });
    }
  }

  const gen = isRec(data.dataset) && isRec(data.dataset.generate) ? data.dataset.generate : {};
  if (Array.isArray(gen.topics) && gen.topics.length > 0 && isInt(gen.interests_per_agent) && gen.interests_per_agent > gen.topics.length) {
    out.push({
      segments: ['dataset', 'generate', 'interests_per_agent'],
      kind: 'value',
      message: `must be at most the number of topics (${gen.topics.length}), got ${gen.interests_per_agent}`,
    });
  }

  const act = isRec(data.activation) ? data.activation : undefined;
  if (act) {
    if (act.profile === 'custom' && act.hourly === undefined) {
      out.push({ segments: ['activation', 'hourly'], kind: 'parent', message: 'profile custom needs hourly: a list of exactly 24 weights (hour 0 = midnight UTC)' });
    } else if (act.profile !== 'custom' && act.hourly !== undefined && typeof act.profile === 'string') {
      out.push({ segments: ['activation', 'hourly'], kind: 'key', message: `only allowed with profile custom (profile is "${act.profile}")` });
    } else if (Array.isArray(act.hourly) && act.hourly.length === 24 && act.hourly.every((x) => typeof x === 'number' && x === 0)) {
      out.push({ segments: ['activation', 'hourly'], kind: 'value', message: 'must have at least one weight above 0, got all zeros' });
    }
  }
  return out;
}

/** A dataset file's format: given, or told by the extension (as src/data/rows.ts reads it). */
const DATA_EXTENSION = /\.((csv|jsonl|ndjson)(\.gz)?|parquet)$/i;

/** Cohorts that take real accounts need dataset.users; so do follows and posts, which refer to them. */
function datasetChecks(data: Rec, out: RawIssue[]): void {
  const ds = isRec(data.dataset) ? data.dataset : {};
  const hasUsers = isRec(ds.users);
  for (const [i, c] of recs(data.cohorts)) {
    if ((c.personas === 'dataset' || c.personas === 'mixed') && !hasUsers) {
      out.push({ segments: ['cohorts', i, 'personas'], kind: 'value', message: `personas ${c.personas} takes real accounts from dataset.users, which is not set; add dataset.users: { path: <users.csv> } or use generated` });
    }
  }
  for (const table of ['follows', 'posts'] as const) {
    if (isRec(ds[table]) && !hasUsers) {
      out.push({ segments: ['dataset', table], kind: 'value', message: `dataset.${table} refers to accounts by id, so it needs dataset.users, the file that lists them` });
    }
  }
  for (const table of ['users', 'follows', 'posts', 'cascades'] as const) {
    const t = ds[table];
    if (isRec(t) && typeof t.path === 'string' && t.format === undefined && !DATA_EXTENSION.test(t.path)) {
      out.push({ segments: ['dataset', table, 'path'], kind: 'value', message: `cannot tell the format from the extension of "${t.path}" (.csv, .jsonl, .ndjson, optionally .gz; .parquet); add format: csv, jsonl or parquet` });
    }
  }
  const users = isRec(ds.users) ? ds.users : {};
  if (isRec(users.columns) && users.columns.following !== undefined && users.following_kind === undefined) {
    out.push({
      segments: ['dataset', 'users', 'following_kind'],
      kind: 'parent',
      message: 'columns.following needs following_kind: row_index (0-based data rows of the users file, as OASIS\'s following_agentid_list) or id (values of its id column)',
    });
  }
  const gen = isRec(ds.generate) ? ds.generate : {};
  const stanceTopics = Array.isArray(gen.stance_topics) ? gen.stance_topics.length : 0;
  for (const key of ['polarization', 'stance_homophily'] as const) {
    if (typeof gen[key] === 'number' && stanceTopics === 0) {
      out.push({ segments: ['dataset', 'generate', key], kind: 'value', message: 'has no effect without stance_topics: list the topics personas hold stances on, or remove it' });
    }
  }
}

/**
 * recsys.embedding_model (and each set_recsys intervention's) must name a model that serves
 * /v1/embeddings: an openai-compatible or openai entry of `models`.
 */
function embeddingModelChecks(data: Rec, out: RawIssue[]): void {
  const models = isRec(data.models) ? data.models : {};
  const names = Object.keys(models);
  const check = (recsys: unknown, segments: (string | number)[]): void => {
    if (!isRec(recsys) || typeof recsys.embedding_model !== 'string') return;
    const name = recsys.embedding_model;
    const model = models[name];
    if (model === undefined) {
      const defined = names.length > 0 ? `models defined: ${names.join(', ')}` : 'no models are defined';
      out.push({ segments: [...segments, 'embedding_model'], kind: 'value', message: `unknown model "${name}"; ${defined}${didYouMean(name, names)}` });
    } else if (isRec(model) && model.provider !== 'openai-compatible' && model.provider !== 'openai') {
      out.push({ segments: [...segments, 'embedding_model'], kind: 'value', message: `model "${name}" has provider ${String(model.provider)}; an embedding model needs provider openai-compatible or openai` });
    }
  };
  check(data.recsys, ['recsys']);
  for (const [i, iv] of recs(data.interventions)) check(iv.recsys, ['interventions', i, 'recsys']);
  // analysis.stance.judge: an LLM model too (it is sent chat requests).
  const stance = isRec(data.analysis) && isRec(data.analysis.stance) ? data.analysis.stance : null;
  if (stance !== null && typeof stance.judge === 'string') {
    const model = models[stance.judge];
    const segments = ['analysis', 'stance', 'judge'];
    if (model === undefined) {
      const defined = names.length > 0 ? `models defined: ${names.join(', ')}` : 'no models are defined';
      out.push({ segments, kind: 'value', message: `unknown model "${stance.judge}"; ${defined}${didYouMean(stance.judge, names)}` });
    } else if (isRec(model) && model.provider !== 'openai-compatible' && model.provider !== 'openai') {
      out.push({ segments, kind: 'value', message: `model "${stance.judge}" has provider ${String(model.provider)}; a stance judge needs provider openai-compatible or openai` });
    }
  }
}
