/**
 * What an attempt of the chat or embedding client threw, as a failure kind: the openai SDK's
 * error classes told apart here, beside the clients that load the SDK anyway.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { isUnreachable, parseRetryAfter, type Classified } from './retry.js';

/**
 * Maps whatever an attempt threw to a failure kind. `timedOut` says our own per-attempt
 * deadline fired (the SDK then reports a user abort).
 */
export function classifyError(err: unknown, timedOut: boolean): Classified {
  if (timedOut || err instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: 'request timed out', retryAfterMs: null };
  }
  if (err instanceof APIUserAbortError) {
    return { kind: 'connection', message: 'request aborted', retryAfterMs: null };
  }
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? `: ${causeMessage(err.cause)}` : '';
    return { kind: 'connection', message: `${err.message}${cause}`, retryAfterMs: null, unreachable: isUnreachable(err) };
  }
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const message = err.message;
    if (status === 429) {
      return { kind: 'rate_limited', message, retryAfterMs: parseRetryAfter(err.headers?.get('retry-after') ?? null) };
    }
    if (status >= 500) {
      return { kind: 'server_error', message, retryAfterMs: parseRetryAfter(err.headers?.get('retry-after') ?? null) };
    }
    if (status === 408) return { kind: 'timeout', message, retryAfterMs: null };
    return { kind: 'client_error', message, retryAfterMs: null };
  }
  // A 200 whose body is not the JSON the SDK expects (e.g. SyntaxError while parsing).
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: 'bad_response', message, retryAfterMs: null };
}

function causeMessage(e: Error): string {
  const code = (e as { code?: unknown }).code;
  const inner = e.cause instanceof Error ? causeMessage(e.cause) : null;
  const own = typeof code === 'string' ? `${code} ${e.message}` : e.message;
  return inner !== null && inner !== own ? `${own} (${inner})` : own;
}

