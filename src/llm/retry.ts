/**
 * Failure kinds, retry policy and backoff for the model clients. Pure functions, so they can be
 * tested without a server; the SDK's errors are classified in classify.ts, so what only needs
 * these (the preflight) does not import the openai SDK.
 */
import type { FailureKind } from './types.js';

export const DEFAULT_BACKOFF = { baseMs: 500, maxMs: 20_000 } as const;

export interface Classified {
  readonly kind: FailureKind;
  readonly message: string;
  /** Milliseconds from a `Retry-After` header, if the server sent a usable one. */
  readonly retryAfterMs: number | null;
  /** Nothing listens at the endpoint (connection refused, unknown host): it is down now, not after a few more tries. */
  readonly unreachable?: boolean;
}

/** Socket error codes that say no server is there, as opposed to one that failed or was slow. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether an error, or one of its causes, is a socket error saying nothing listens there. */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  }
  return false;
}

/** Kinds worth another attempt. `bad_response` is retried once only (see `shouldRetry`). */
const RETRYABLE: ReadonlySet<FailureKind> = new Set([
  'rate_limited',
  'server_error',
  'timeout',
  'connection',
  'bad_response',
]);

/** `Retry-After` as seconds (may be fractional) or an HTTP-date; `null` if absent or unusable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Full-jitter exponential backoff: uniform in [0, min(maxMs, baseMs · 2^(attempt−1))]. */
export function backoffMs(
  attempt: number,
  backoff: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const cap = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * The wait before the next attempt: the jittered backoff, or the server's `Retry-After`
 * (capped at `maxMs`) when that is longer.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  backoff: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const computed = backoffMs(attempt, backoff, random);
  if (retryAfterMs === null) return computed;
  return Math.max(computed, Math.min(retryAfterMs, backoff.maxMs));
}

/** Whether a call whose `attempts`-th attempt failed with `kind` gets another attempt. */
export function shouldRetry(
  kind: FailureKind,
  attempts: number,
  maxAttempts: number,
  badResponses: number,
): boolean {
  if (attempts >= maxAttempts || !RETRYABLE.has(kind)) return false;
  return kind !== 'bad_response' || badResponses <= 1;
}

/** Whether a failure counts against the endpoint's health (a 429 or a 4xx does not). */
export function isEndpointFault(kind: FailureKind): boolean {
  return kind === 'server_error' || kind === 'timeout' || kind === 'connection' || kind === 'bad_response';
}

/** Removes secrets from a message: the key itself and anything shaped like an `sk-` key. */
export function redact(message: string, apiKey: string | null): string {
  let out = message;
  if (apiKey !== null && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-[redacted]');
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
