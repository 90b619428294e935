/**
 * Before step 0 (and before a resume continues): every endpoint of every model the run will
 * call — the LLM cohorts', seed accounts' and the recommender's embedding models — is asked
 * `GET <url>/models` (src/llm/preflight.ts). A model none of whose endpoints answers refuses
 * the run before anything is written; endpoints down beside others that answer are a warning.
 */
import { embeddingModels } from '../config/embedding-models.js';
import type { Experiment, OpenAICompatibleModelConfig, OpenAIModelConfig } from '../config/types.js';
import { probeModel, type ModelProbe } from '../llm/preflight.js';
import { MissingApiKeyError, modelSettingsFromConfig } from '../llm/settings.js';

/** Some model has no endpoint that answers: the run does not start. */
export class EndpointsUnreachableError extends Error {
  readonly code = 'run.endpoints_unreachable';
}

type LlmModel = OpenAICompatibleModelConfig | OpenAIModelConfig;

/** The models the run sends requests to, with their keys. */
export function calledModels(exp: Experiment): [string, LlmModel][] {
  const actors = [...exp.cohorts.map((c) => c.model), ...exp.seeds.flatMap((s) => (s.model ? [s.model] : []))];
  return [...new Set([...actors, ...embeddingModels(exp)])].flatMap((m) => {
    const cfg = exp.models[m];
    return cfg !== undefined && cfg.provider !== 'statistical' ? [[m, cfg] as [string, LlmModel]] : [];
  });
}

/**
 * Probes every endpoint; throws `EndpointsUnreachableError` (one line naming each model and its
 * endpoints with the reason) when a model has none that answers, and returns a warning line for
 * each endpoint down beside others that answer. A model whose API key is missing is left to the
 * policies, which refuse it with their own message.
 */
export function preflightEndpoints(exp: Experiment, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string[]> {
  return preflightModels(calledModels(exp), env);
}

/** `preflightEndpoints` over a list of models (a sweep's, gathered from all its runs). */
export async function preflightModels(models: readonly (readonly [string, LlmModel])[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<string[]> {
  const probes: Promise<ModelProbe>[] = [];
  for (const [name, cfg] of models) {
    try {
      probes.push(probeModel(modelSettingsFromConfig(name, cfg, env)));
    } catch (err) {
      if (err instanceof MissingApiKeyError) continue;
      throw err;
    }
  }
  const results = await Promise.all(probes);
  const dead = results.filter((r) => r.endpoints.every((e) => e.down !== null));
  if (dead.length > 0) {
    const what = dead.map((r) => `model "${r.model}" has no endpoint that answers (${r.endpoints.map((e) => `${e.url}: ${e.down}`).join('; ')})`);
    throw new EndpointsUnreachableError(
      `${what.join('; ')}: start the servers (socialsim launch) or fix the endpoints, then run again; --no-preflight skips this check`,
    );
  }
  return results.flatMap((r) => {
    const up = r.endpoints.filter((e) => e.down === null).length;
    return r.endpoints
      .filter((e) => e.down !== null)
      .map((e) => `model "${r.model}": endpoint ${e.url} does not answer (${e.down}); going on with the other ${up} of ${r.endpoints.length}`);
  });
}
