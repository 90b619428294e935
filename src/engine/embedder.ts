/**
 * Text embeddings for the `interest` or `twitter` recommender's embedding_model: before a refresh, the
 * texts its snapshot needs (candidates, agents' profiles, the posts they engaged with lately)
 * that the run has no vector for yet are sent to the model in batches, and the answers stored
 * with the step. Each distinct text is embedded once per run: a resumed run reads its own
 * table, a replayed or branched run the parent's (a text missing there stops the run, like
 * any replay miss). A batch that still fails after its retries leaves its texts without a
 * vector (recorded in llm_calls with cohort `recsys`); they are asked for again at the next
 * refresh, and meanwhile the recommender leaves those posts to the popularity fallback.
 */
import { join } from 'node:path';
import { withSimDb } from '../analysis/open.js';
import type { StepBatch } from '../channel/batch.js';
import type { Channel } from '../channel/channel.js';
import { readEmbeddings, textHash } from '../channel/embeddings.js';
import type { ChannelSnapshot, TextEmbeddings } from '../channel/snapshot.js';
import type { Experiment } from '../config/types.js';
import type { RequestGate } from '../llm/budget-gate.js';
import type { EmbeddingClient } from '../llm/embeddings.js';
import { modelSettingsFromConfig, withoutKeys } from '../llm/settings.js';
import { QUERY_HISTORY } from '../recsys/interest.js';
import { ReplayError } from './replay.js';
import { RUN_FILES } from './run-folder.js';

/** The `cohort` of embedding calls in llm_calls (they serve the recommender, not an agent). */
export const EMBEDDING_COHORT = 'recsys';

/** Where vectors come from: the model's endpoints, or a parent run's table (replay, branch prefix). */
export type EmbeddingSource = { readonly kind: 'client'; readonly client: EmbeddingClient } | { readonly kind: 'recorded'; readonly runDir: string };

/** The live source of an experiment's model: its endpoints, API key from the environment, requests admitted by the run's budgets. */
export function clientSource(exp: Experiment, model: string, env: Readonly<Record<string, string | undefined>> = process.env, gate?: RequestGate): EmbeddingSource {
  const cfg = exp.models[model];
  if (!cfg || cfg.provider === 'statistical') throw new Error(`recsys.embedding_model "${model}" is not an openai-compatible or openai model`);
  const settings = modelSettingsFromConfig(model, cfg, env);
  // The client, and with it the openai SDK, is made for the first batch to embed: a run whose
  // vectors all come from its recording, or that never gets there, does not load them.
  let made: Promise<EmbeddingClient> | undefined;
  const client = (): Promise<EmbeddingClient> => (made ??= import('../llm/embeddings.js').then((m) => m.createEmbeddingClient(settings, gate ? { gate } : {})));
  return { kind: 'client', client: { settings: withoutKeys(settings), embed: async (texts) => (await client()).embed(texts) } };
}

export class SnapshotEmbedder {
  private dim = 0;
  private readonly hashOfPost = new Map<number, string>();
  private recorded: Map<string, Float32Array> | null = null;

  private constructor(
    readonly model: string,
    private readonly source: EmbeddingSource,
    /** This run's vectors by text hash: loaded from its table, then grown step by step. */
    private readonly known: Map<string, Float32Array>,
  ) {
    for (const v of known.values()) this.dim ||= v.length;
  }

  static async open(channel: Channel, model: string, source: EmbeddingSource): Promise<SnapshotEmbedder> {
    return new SnapshotEmbedder(model, source, await channel.storedEmbeddings(model));
  }

  /** Vectors for everything `snapshot` needs, asking the source for the missing ones; new ones go into `batch`. */
  async prepare(snapshot: ChannelSnapshot, channel: Channel, batch: StepBatch): Promise<TextEmbeddings> {
    const missing = new Map<string, string>();
    const need = (text: string): string => {
      const hash = textHash(this.model, text);
      if (!this.known.has(hash)) missing.set(hash, text);
      return hash;
    };
    const postHash = (id: number, text?: string): string | undefined => {
      let hash = this.hashOfPost.get(id);
      if (hash === undefined) {
        const t = text ?? channel.postText(id);
        if (t === undefined || t === '') return undefined;
        this.hashOfPost.set(id, (hash = textHash(this.model, t)));
      }
      if (!this.known.has(hash)) missing.set(hash, text ?? channel.postText(id)!);
      return hash;
    };
    // Posts older than the memory window are no candidates and no one's standing engagement any more.
    for (const id of this.hashOfPost.keys()) if (id < channel.state.windowStart) this.hashOfPost.delete(id);
    for (const p of snapshot.posts) postHash(p.postId, p.text);
    const profileHash = new Map<number, string>();
    for (const user of snapshot.users) {
      const profile = snapshot.profileOf(user);
      if (profile.trim() !== '') profileHash.set(user, need(profile));
      // The recommender reads the most recent engaged posts only (ids grow with time).
      const engaged = [...snapshot.engagedBy(user)].sort((a, b) => b - a).slice(0, QUERY_HISTORY);
      for (const id of engaged) postHash(id);
    }
    if (missing.size > 0) await this.fetch(missing, snapshot.step, batch);

    const known = this.known;
    const hashOfPost = this.hashOfPost;
    return {
      dim: this.dim,
      post: (id) => {
        const hash = hashOfPost.get(id);
        return hash === undefined ? undefined : known.get(hash);
      },
      profile: (user) => {
        const hash = profileHash.get(user);
        return hash === undefined ? undefined : known.get(hash);
      },
    };
  }

  private async fetch(missing: Map<string, string>, step: number, batch: StepBatch): Promise<void> {
    const hashes = [...missing.keys()];
    if (this.source.kind === 'recorded') {
      this.recorded ??= await withSimDb(join(this.source.runDir, RUN_FILES.db), (db) => readEmbeddings((sql) => db.query(sql), this.model));
      const absent = hashes.filter((h) => !this.recorded!.has(h));
      if (absent.length > 0) {
        const example = missing.get(absent[0]!)!.slice(0, 60);
        throw new ReplayError(`replay: ${absent.length} text(s) at step ${step} have no recorded embedding of model "${this.model}" in ${this.source.runDir} (e.g. "${example}")`);
      }
      for (const h of hashes) this.keep(h, this.recorded.get(h)!, batch);
      return;
    }
    const result = await this.source.client.embed(hashes.map((h) => missing.get(h)!));
    result.vectors.forEach((v, i) => {
      if (v) this.keep(hashes[i]!, v, batch);
    });
    for (const c of result.calls) {
      batch.llmCalls.push({
        agentId: -1,
        cohort: EMBEDDING_COHORT,
        model: this.model,
        endpoint: c.endpoint,
        latencyMs: c.latencyMs,
        promptTokens: c.promptTokens,
        completionTokens: 0,
        attempts: c.attempts,
        outcome: c.outcome,
        error: c.error,
      });
    }
  }

  private keep(hash: string, vector: Float32Array, batch: StepBatch): void {
    this.dim ||= vector.length;
    if (vector.length !== this.dim) {
      throw new Error(`embedding model "${this.model}" answered ${vector.length} dimensions where this run's vectors have ${this.dim}`);
    }
    this.known.set(hash, vector);
    batch.embeddings.push({ model: this.model, textHash: hash, vector });
  }
}
