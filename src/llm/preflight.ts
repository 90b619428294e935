/**
 * The check before a run starts: does each endpoint of a model answer `GET <url>/models`? Any
 * HTTP answer but a 5xx or a refused key counts (a server without the route answers 404 and is
 * there); a refused connection, a timeout or a 5xx does not. The API key goes in the header
 * only, never into a reason.
 */
import { nodeFetch } from './http-fetch.js';
import { isUnreachable, redact } from './retry.js';
import type { ModelSettings } from './types.js';

/** Longest wait for one endpoint's answer (less when the model's timeout_s is shorter). */
export const PROBE_TIMEOUT_MS = 5_000;

export interface EndpointProbe {
  readonly url: string;
  /** Null when the endpoint answered; else why not, e.g. "connection refused", "HTTP 503". */
  readonly down: string | null;
}

export interface ModelProbe {
  readonly model: string;
  readonly endpoints: readonly EndpointProbe[];
}

export async function probeModel(settings: Pick<ModelSettings, 'name' | 'endpoints' | 'apiKey' | 'timeoutMs'>): Promise<ModelProbe> {
  const timeoutMs = Math.min(PROBE_TIMEOUT_MS, settings.timeoutMs);
  const endpoints = await Promise.all(
    settings.endpoints.map(async (e) => ({ url: e.url, down: await probeEndpoint(e.url, settings.apiKey, timeoutMs) })),
  );
  return { model: settings.name, endpoints };
}

/** Why `url` (a base URL ending in /v1) does not answer, or null when it does. */
export async function probeEndpoint(url: string, apiKey: string | null, timeoutMs: number): Promise<string | null> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await nodeFetch(`${url}/models`, {
      method: 'GET',
      headers: apiKey !== null ? { authorization: `Bearer ${apiKey}` } : {},
      signal: controller.signal,
    });
    if (res.status >= 500) return `HTTP ${res.status}`;
    if (res.status === 401 || res.status === 403) return `HTTP ${res.status} (the API key was refused)`;
    return null;
  } catch (err) {
    if (timedOut) return `no answer within ${timeoutMs / 1000} s`;
    if (isUnreachable(err)) return `${codeOf(err) === 'ECONNREFUSED' ? 'connection refused' : 'host unreachable'} (${codeOf(err)})`;
    return redact(err instanceof Error ? err.message : String(err), apiKey);
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(err: unknown): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'unknown';
}
