/**
 * From the validated experiment's model config to the client's `ModelSettings`, and the
 * limiter that goes with them. The API key is read from the environment here and nowhere else.
 */
import type { OpenAICompatibleModelConfig, OpenAIModelConfig } from '../config/types.js';
import { EndpointLimiter } from './limiter.js';
import type { ModelSettings } from './types.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

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
  };
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
