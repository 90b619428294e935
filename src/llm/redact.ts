/**
 * The run's API keys never leave the process in anything it writes. Model output is where a key
 * can come back in (a server that echoes its Authorization header, a model told the key): every
 * answer is cleaned here, as it enters, so posts, trace args, recorded responses, events and
 * logs downstream only ever see `[redacted]`.
 */
import type { ChatCompletionMessage, ModelSettings } from './types.js';

export const REDACTED = '[redacted]';

/** The keys to remove: the model's own and the run's other models' (too short to be a key: none). */
export function secretsOf(settings: Pick<ModelSettings, 'apiKey' | 'otherKeys'>): string[] {
  const all = [settings.apiKey, ...(settings.otherKeys ?? [])].filter((k): k is string => typeof k === 'string' && k.length >= 8);
  // Longest first, so a key that contains another is removed whole.
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/** `text` with every secret removed, as written and as escaped inside a JSON string. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

function containsSecret(value: unknown, secrets: readonly string[]): boolean {
  if (typeof value === 'string') return secrets.some((s) => value.includes(s));
  if (Array.isArray(value)) return value.some((v) => containsSecret(v, secrets));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => containsSecret(v, secrets));
  return false;
}

function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]));
  return value;
}

/**
 * A string, and a JSON text inside it (tool-call arguments, JSON-mode content) once decoded:
 * `\u0073k-…` escapes spell the key only after JSON.parse, so such text is re-serialized.
 */
function redactString(text: string, secrets: readonly string[]): string {
  const plain = redactText(text, secrets);
  const t = plain.trimStart();
  if (!(t.startsWith('{') || t.startsWith('[') || t.startsWith('"'))) return plain;
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain);
  } catch {
    return plain;
  }
  return containsSecret(parsed, secrets) ? JSON.stringify(redactDeep(parsed, secrets)) : plain;
}

/** `value` (plain JSON data: a request's messages) with every secret removed from every string in it. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return redactDeep(value, secrets) as T;
}

/** The model's answer with every secret removed from every string in it (content, tool calls, reasoning). */
export function redactMessage(message: ChatCompletionMessage, secrets: readonly string[]): ChatCompletionMessage {
  if (secrets.length === 0) return message;
  return redactDeep(message, secrets) as ChatCompletionMessage;
}
