/**
 * What the chat and embedding clients share before their first request: the settings checks
 * and one OpenAI SDK instance per endpoint, SDK retries off (the clients retry themselves),
 * our keep-alive fetch, and no OPENAI_* environment leaking into these endpoints.
 */
import OpenAI from 'openai';
import { nodeFetch } from './http-fetch.js';
import type { ModelSettings } from './types.js';

/** Throws on settings no client can use: no endpoint, no attempt, no time. */
export function checkSettings(settings: ModelSettings): void {
  if (settings.endpoints.length === 0) throw new Error(`model "${settings.name}": no endpoints`);
  if (!(settings.maxAttempts >= 1)) throw new Error(`model "${settings.name}": maxAttempts must be ≥ 1`);
  if (!(settings.timeoutMs > 0)) throw new Error(`model "${settings.name}": timeoutMs must be > 0`);
}

/** One SDK instance per endpoint, in the settings' order. */
export function endpointSdks(settings: ModelSettings): OpenAI[] {
  return settings.endpoints.map(
    (e) =>
      new OpenAI({
        baseURL: e.url,
        apiKey: settings.apiKey ?? 'not-needed',
        // Keep whatever OPENAI_* variables the environment holds away from these endpoints.
        adminAPIKey: null,
        organization: null,
        project: null,
        webhookSecret: null,
        maxRetries: 0,
        timeout: settings.timeoutMs,
        fetch: nodeFetch,
      }),
  );
}
