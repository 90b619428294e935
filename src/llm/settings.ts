/**
 * From the validated experiment's model config to the client's `ModelSettings`, and the
 * limiter that goes with them. The API key is read from the environment here and nowhere else.
 */
import { durationMs } from '../config/durations.js';
import type { OpenAICompatibleModelConfig, OpenAIModelConfig } from '../config/types.js';
import { EndpointLimiter } from './limiter.js';
import type { ModelSettings } from './types.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** The default probe interval of an endpoint out of rotation (limiter.ts), and its cap here. */
const PROBE_EVERY_MS = 30_000;

/** `max_outage` in milliseconds: a duration string (`120s`, `5m`) or a number of seconds. */
export function maxOutageMs(cfg: Pick<OpenAICompatibleModelConfig, 'max_outage'>): number {
  const v = cfg.max_outage;
  return typeof v === 'number' ? Math.round(v * 1000) : durationMs(v);
}

export class MissingApiKeyError extends Error {
  constructor(readonly model: string, readonly envVar: string) {
    // A lower-case or long "name" may be the key itself, pasted into api_key_env: not echoed.
    const shown = /^[A-Z_][A-Z0-9_]{0,63}$/.test(envVar) ? envVar : `named by api_key_env (${envVar.length} characters, not shown: is it the key itself?)`;
    super(`model "${model}": environment variable ${shown} is not set (it should hold the API key)`);
    this.name = 'MissingApiKeyError';
  }
}

/**
 * `max_concurrency` is per endpoint; `max_retries` retries follow the first attempt. Throws
 * `MissingApiKeyError` when `api_key_env` names a variable that is unset or empty.
 */
export function modelSettingsFromConfig(
  name: string,
  cfg: OpenAICompatibleModelConfig | OpenAIModelConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ModelSettings {
  const urls = cfg.provider === 'openai' ? [cfg.base_url ?? OPENAI_BASE_URL] : endpointUrls(cfg);
  if (urls.length === 0) throw new Error(`model "${name}": no endpoints (give endpoints, or host and ports)`);
  let apiKey: string | null = null;
  if (cfg.api_key_env !== undefined) {
    const v = env[cfg.api_key_env];
    if (v === undefined || v === '') throw new MissingApiKeyError(name, cfg.api_key_env);
    apiKey = v;
  }
  return {
    name,
    model: cfg.model,
    endpoints: urls.map((url) => ({ url: url.replace(/\/+$/, ''), maxConcurrency: cfg.max_concurrency })),
    apiKey,
    timeoutMs: Math.round(cfg.timeout_s * 1000),
    maxAttempts: cfg.max_retries + 1,
    temperature: cfg.temperature,
    maxTokens: cfg.max_tokens,
    extraBody: cfg.extra_body,
    backoff: { baseMs: Math.round(cfg.backoff.base_s * 1000), maxMs: Math.round(cfg.backoff.max_s * 1000) },
    ...outageSettings(maxOutageMs(cfg)),
  };
}

/**
 * During an outage (no endpoint in rotation) a request waits for an endpoint to come back
 * rather than failing as `no_endpoint`: the run's outage watch (src/engine/outage.ts) stops
 * the run after `max_outage`, so the wait is twice that, never reached while the watch runs.
 * Endpoints out of rotation are probed four times within `max_outage` (at most every 30 s), so
 * one that comes back is noticed before the run gives up on it.
 */
function outageSettings(outageMs: number): { unavailableTimeoutMs: number; probeAfterMs: number } {
  return { unavailableTimeoutMs: 2 * outageMs, probeAfterMs: Math.max(1, Math.min(PROBE_EVERY_MS, Math.floor(outageMs / 4))) };
}

/** `endpoints` as written, else `http://HOST:PORT/v1` for each of `ports`. */
export function endpointUrls(cfg: OpenAICompatibleModelConfig): string[] {
  if (cfg.endpoints !== undefined) return [...cfg.endpoints];
  return (cfg.ports ?? []).map((p) => `http://${cfg.host}:${p}/v1`);
}

/** The limiter matching `settings` (create in the main thread; `.shared` goes to workers). */
export function createLimiterFor(settings: ModelSettings): EndpointLimiter {
  return EndpointLimiter.create(
    settings.endpoints.map((e) => e.maxConcurrency),
    { unhealthyAfter: settings.unhealthyAfter, probeAfterMs: settings.probeAfterMs },
  );
}

/** A model's settings without its API key and the run's other keys: what a client shows and workers are sent. */
export function withoutKeys(settings: ModelSettings): Omit<ModelSettings, 'apiKey' | 'otherKeys'> {
  const { apiKey: _key, otherKeys: _others, ...visible } = settings;
  return visible;
}
