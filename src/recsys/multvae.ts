import type { ChannelSnapshot, Interactions } from '../channel/snapshot.js';
import { Rng } from '../common/rng.js';
import type { RecsysConfig } from '../config/types.js';
import { exclusionRule, feedsFrom } from './learn/feeds.js';
import { rowMap } from './learn/interaction-index.js';
import { coldCap, withColdPosts } from './learn/pool.js';
import { rankByDot, type ScoringPool } from './learn/rank.js';
import { StateReader, StateWriter } from './learn/state-codec.js';
import { latentMeans, newVaeNet, PARAM_NAMES, revocab, type VaeInputs, type VaeNet } from './learn/vae.js';
import { vaeEpoch } from './learn/vae-train.js';
import type { Recommender, RecommenderOptions } from './types.js';

/**
 * Mult-VAE (Liang et al. 2018): a variational autoencoder that reads a user's set of engaged
 * posts and outputs a multinomial over posts; the network is in learn/vae.ts. Each refresh
 * picks the vocabulary, continues training the previous refresh's weights for `epochs`
 * passes over the users, and ranks each user's candidates by the decoder's output for its
 * full vector (no dropout, z = μ).
 */

export interface MultVaeParams {
  readonly factors: number;
  readonly hidden: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly klWeight: number;
  readonly dropout: number;
}

export const MULTVAE_DEFAULTS: MultVaeParams = { factors: 32, hidden: 128, epochs: 5, learningRate: 0.01, klWeight: 0.2, dropout: 0.5 };

/**
 * The vocabulary's size: training costs ~3 · users · vocabulary · factors multiply-adds per
 * epoch (the full softmax), so the cap shrinks as users grow, keeping 5 epochs inside the
 * refresh budget: 8192 posts up to 2,400 users, 2,000 at 10,000 users, never under 1024.
 */
const USER_POST_BUDGET = 20_000_000;
export const MAX_VOCAB = 8192;
export const MIN_VOCAB = 1024;

export function vocabularyCap(users: number): number {
  return Math.max(MIN_VOCAB, Math.min(MAX_VOCAB, Math.floor(USER_POST_BUDGET / Math.max(1, users))));
}

/** Share of the vocabulary kept for older posts when candidates alone would fill it. */
const HISTORY_SHARE = 0.25;
const STATE_TAG = 'multvae/1';

export function multVaeParams(config: RecsysConfig): MultVaeParams {
  return {
    factors: config.factors ?? MULTVAE_DEFAULTS.factors,
    hidden: config.hidden ?? MULTVAE_DEFAULTS.hidden,
    epochs: config.epochs ?? MULTVAE_DEFAULTS.epochs,
    learningRate: config.learning_rate ?? MULTVAE_DEFAULTS.learningRate,
    klWeight: config.kl_weight ?? MULTVAE_DEFAULTS.klWeight,
    dropout: config.dropout ?? MULTVAE_DEFAULTS.dropout,
  };
}

/** Distinct values of an array sorted ascending. */
function distinctCount(sorted: Int32Array): number {
  let n = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) n++;
  return n;
}

/** Distinct users per post among the standing likes and reposts. */
function engagementCounts(interactions: Interactions): Map<number, number> {
  const counts = new Map<number, number>();
  const { users, posts } = interactions;
  for (let k = 0; k < posts.length; k++) {
    if (k > 0 && users[k] === users[k - 1] && posts[k] === posts[k - 1]) continue;
    counts.set(posts[k]!, (counts.get(posts[k]!) ?? 0) + 1);
  }
  return counts;
}

/**
 * The posts the network knows, ascending: engaged candidates (what it can recommend) and
 * engaged older posts (what tells it who a user is: most of a long-lived user's history has
 * left the window), each by most distinct engaging users, ties to the newer post. Older
 * posts get what candidates leave, and at least a quarter when there are enough of them.
 */
export function chooseVocabulary(snapshot: ChannelSnapshot, interactions: Interactions, cap?: number): Int32Array {
  const counts = engagementCounts(interactions);
  cap ??= vocabularyCap(distinctCount(interactions.users));
  const cands: number[] = [];
  const older: number[] = [];
  for (const id of counts.keys()) (snapshot.postsById.has(id) ? cands : older).push(id);
  const byEngagement = (a: number, b: number): number => counts.get(b)! - counts.get(a)! || b - a;
  cands.sort(byEngagement);
  older.sort(byEngagement);
  const nOlder = Math.min(older.length, Math.max(cap - cands.length, Math.floor(cap * HISTORY_SHARE)));
  const nCands = Math.min(cands.length, cap - nOlder);
  return Int32Array.from([...cands.slice(0, nCands), ...older.slice(0, nOlder)]).sort();
}

/** Each user's engaged vocabulary posts; users with none are left out (cold start). */
export function vaeInputs(interactions: Interactions, vocab: Int32Array): VaeInputs {
  const row = rowMap(vocab);
  const users: number[] = [];
  const ptr: number[] = [0];
  const rows: number[] = [];
  const { users: us, posts } = interactions;
  for (let k = 0; k < posts.length; k++) {
    const u = us[k]!;
    if (k > 0 && u === us[k - 1] && posts[k] === posts[k - 1]) continue;
    const r = row.get(posts[k]!);
    if (r === undefined) continue;
    if (users.length === 0 || users[users.length - 1] !== u) {
      if (users.length > 0) ptr.push(rows.length);
      users.push(u);
    }
    rows.push(r);
  }
  if (users.length > 0) ptr.push(rows.length);
  return { users: Int32Array.from(users), ptr: Int32Array.from(ptr), rows: Int32Array.from(rows) };
}

/** The vocabulary's candidates as a scoring pool: decoder rows and output biases. */
function candidatePool(snapshot: ChannelSnapshot, net: VaeNet, F: number): ScoringPool {
  const idx: number[] = [];
  for (let r = 0; r < net.vocab.length; r++) if (snapshot.postsById.has(net.vocab[r]!)) idx.push(r);
  const vectors = new Float32Array(idx.length * F);
  idx.forEach((r, k) => vectors.set(net.dec.subarray(r * F, r * F + F), k * F));
  return {
    postIds: Int32Array.from(idx, (r) => net.vocab[r]!),
    authors: Int32Array.from(idx, (r) => snapshot.postsById.get(net.vocab[r]!)!.authorId),
    vectors,
    bias: Float32Array.from(idx, (r) => net.decBias[r]!),
  };
}

export function createMultVae({ seed, feedSize, config }: RecommenderOptions): Recommender {
  const params = multVaeParams(config);
  const shape = { hidden: params.hidden, factors: params.factors };
  let net = newVaeNet(seed, shape);
  let step = -1;
  return {
    kind: 'multvae',
    refresh(snapshot) {
      const interactions = snapshot.interactions();
      revocab(net, chooseVocabulary(snapshot, interactions), seed, shape);
      const inputs = vaeInputs(interactions, net.vocab);
      for (let e = 0; e < params.epochs; e++) vaeEpoch(net, shape, params, inputs, Rng.derive(seed, 'recsys-multvae', snapshot.step, e));
      step = snapshot.step;
      const pool = withColdPosts(candidatePool(snapshot, net, params.factors), snapshot.posts, params.factors, coldCap(snapshot.users.length));
      const mu = latentMeans(net, shape, inputs);
      const rankings = rankByDot(inputs.users, mu, pool, params.factors, feedSize, exclusionRule(snapshot));
      return feedsFrom(snapshot, rankings, feedSize);
    },
    saveState() {
      const w = new StateWriter(STATE_TAG).number(params.factors).number(params.hidden).number(step).number(net.t).int32s(net.vocab);
      for (const name of PARAM_NAMES) w.float32s(net[name]).float32s(net.moments[name].m).float32s(net.moments[name].v);
      return w.finish();
    },
    loadState(bytes) {
      const r = new StateReader(bytes, STATE_TAG);
      const F = r.number();
      const H = r.number();
      if (F !== params.factors || H !== params.hidden) {
        throw new Error(`recsys state: multvae saved with factors ${F} / hidden ${H}, configured ${params.factors} / ${params.hidden}`);
      }
      const loaded = newVaeNet(seed, shape);
      step = r.number();
      loaded.t = r.number();
      loaded.vocab = r.int32s();
      for (const name of PARAM_NAMES) {
        loaded[name] = r.float32s();
        loaded.moments[name] = { m: r.float32s(), v: r.float32s() };
      }
      r.end();
      net = loaded;
    },
  };
}
