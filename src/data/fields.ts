/**
 * Typed reading of one cell. CSV cells are text and JSONL values may be anything, so each
 * reader accepts both spellings of a value (`"12"` and `12`) and refuses the rest with a
 * reason that quotes what it got. Every reader returns undefined for an absent cell.
 */
import { RowProblem } from './bad-rows.js';
import type { JsonValue } from './rows.js';

function shown(v: JsonValue): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kindOf(v: JsonValue): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function text(v: JsonValue | undefined, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new RowProblem(field, `expected text, got ${kindOf(v)}`);
}

/** An id: text or an integer (JSON numbers past 2^53 have lost digits: quote such ids). */
export function id(v: JsonValue | undefined, field: string): string | undefined {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RowProblem(field, `expected an id (text or a whole number below 2^53; quote longer ids), got ${shown(v)}`);
  const s = text(v, field)?.trim();
  return s === '' ? undefined : s;
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new RowProblem(field, 'missing (this field is required)');
  return value;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A whole number ≥ `min`. */
export function integer(v: JsonValue | undefined, field: string, min = -Infinity): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && INTEGER.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new RowProblem(field, `expected an integer, got ${shown(v)}`);
  if (n < min) throw new RowProblem(field, `expected an integer of at least ${min}, got ${shown(v)}`);
  return n;
}

/** A finite number ≥ `min`. */
export function decimal(v: JsonValue | undefined, field: string, min = -Infinity): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new RowProblem(field, `expected a number, got ${shown(v)}`);
  if (n < min) throw new RowProblem(field, `expected a number of at least ${min}, got ${shown(v)}`);
  return n;
}

const EPOCH = /^[+-]?\d+(\.\d+)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Twitter API v1.1's created_at: "Wed Oct 10 20:19:24 +0000 2018". */
const TWITTER = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4}) (\d{4})$/;

/** A time as epoch milliseconds: epoch seconds, ISO-8601 (UTC unless it says otherwise) or Twitter's v1.1 format. */
export function time(v: JsonValue | undefined, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let ms = NaN;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') {
    const s = v.trim();
    const tw = TWITTER.exec(s);
    const iso = ISO.exec(s);
    if (EPOCH.test(s)) ms = Number(s) * 1000;
    else if (tw) ms = Date.parse(`${tw[1]} ${tw[2]} ${tw[5]} ${tw[3]} GMT${tw[4]}`);
    // A date-time without a zone would be read as the machine's local time: make it UTC.
    else if (iso) ms = Date.parse(s.length > 10 && iso[1] === undefined ? `${s.replace(' ', 'T')}Z` : s.replace(' ', 'T'));
  }
  if (!Number.isFinite(ms)) throw new RowProblem(field, `expected a time (ISO-8601 like 2024-06-17T08:00:00Z, or epoch seconds), got ${shown(v)}`);
  return ms;
}

/** A list of names: a JSON array of strings, or text split on ; or |. */
export function list(v: JsonValue | undefined, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[;|]/) : undefined;
  if (!items || items.some((x) => typeof x !== 'string')) throw new RowProblem(field, `expected a list of names (a;b or a JSON array of strings), got ${shown(v)}`);
  const out = (items as string[]).map((x) => x.trim()).filter((x) => x !== '');
  return out.length > 0 ? out : undefined;
}

/** One of `allowed`. */
export function oneOf<T extends string>(v: JsonValue | undefined, field: string, allowed: readonly T[]): T | undefined {
  const s = text(v, field)?.trim().toLowerCase();
  if (s === undefined || s === '') return undefined;
  if (!(allowed as readonly string[]).includes(s)) throw new RowProblem(field, `expected one of ${allowed.join(', ')}, got ${shown(v as JsonValue)}`);
  return s as T;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/** A yes/no cell: JSON booleans, or true/false, yes/no, 1/0 in any case. */
export function flag(v: JsonValue | undefined, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === '') return undefined;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new RowProblem(field, `expected true or false (also yes/no, 1/0), got ${shown(v)}`);
}
