/** Turns ajv errors into located, human messages: what was expected, what was got. */
import { describeValue, HiddenValue, pointerToSegments, type PathSegment } from './issues.js';
import type { PositionKind } from './positions.js';
import { deref, type SchemaError, type SchemaNode } from './schema.js';
import { looksSecretKey } from './secrets.js';
import { didYouMean, suggest } from './suggest.js';

/** An issue before it is given a file position. */
export interface RawIssue {
  readonly segments: readonly PathSegment[];
  readonly kind: PositionKind;
  readonly message: string;
}

/** What an unknown secret-looking key is told. */
const SECRETS_MESSAGE = 'API keys and other secrets never go in YAML: put the key in an environment variable and name it with api_key_env';

function hidden(v: unknown): unknown {
  if (typeof v === 'string') return new HiddenValue('a string (not shown)');
  if (typeof v === 'number' || typeof v === 'boolean') return new HiddenValue(`a ${typeof v} (not shown)`);
  return v;
}

const quoteList = (vals: readonly unknown[]): string => vals.map((v) => String(v)).join(', ');

function bounds(s: SchemaNode): string {
  const lo = s.minimum;
  const hi = s.maximum;
  if (lo !== undefined && hi !== undefined) return ` between ${lo} and ${hi}`;
  if (lo !== undefined) return ` ≥ ${lo}`;
  if (s.exclusiveMinimum !== undefined) return ` > ${s.exclusiveMinimum}`;
  if (hi !== undefined) return ` ≤ ${hi}`;
  return '';
}

/** What a schema node accepts, in words: `integer ≥ 1`, `one of: a, b`, `a list of …`. */
export function expected(node: SchemaNode | undefined): string {
  const s = deref(node);
  if (!s) return 'a valid value';
  if (s['x-expected'] !== undefined) return s['x-expected'];
  if (s.enum) return `one of: ${quoteList(s.enum)}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  const type = Array.isArray(s.type) ? s.type.join(' or ') : (s.type as string | undefined);
  switch (type) {
    case 'integer':
    case 'number':
      return `${type}${bounds(s)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      if (s.format === 'date-time') return 'an ISO-8601 date-time like 2024-01-01T00:00:00Z';
      if (s.format === 'uri') return 'a URL like http://localhost:8000/v1';
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'array': {
      const item = deref(s.items as SchemaNode | undefined);
      const of = item?.type === 'string' ? ' of strings' : item?.type === 'number' ? ' of numbers' : '';
      if (s.minItems !== undefined && s.minItems === s.maxItems) return `a list of exactly ${s.minItems} items${of ? ` (${of.slice(4)})` : ''}`;
      if (s.minItems) return `a list${of} with at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`;
      return `a list${of}`;
    }
    case 'object':
      return 'a mapping (key: value lines)';
    default:
      return 'a valid value';
  }
}

function expectedGot(s: SchemaNode | undefined, data: unknown): string {
  const e = expected(s);
  const sep = e.startsWith('one of') ? ';' : ',';
  let msg = `must be ${e}${sep} got ${describeValue(data)}`;
  const node = deref(s);
  if (node?.enum && typeof data === 'string') msg += didYouMean(data, node.enum.map(String));
  return msg;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Allowed keys at an object level, from the error's parent schema. */
function allowedKeys(s: SchemaNode | undefined): string[] {
  return Object.keys(deref(s)?.properties ?? {});
}

function translate(err: SchemaError): RawIssue | undefined {
  const segs = pointerToSegments(err.instancePath);
  const parent = err.parentSchema as SchemaNode | undefined;
  const p = err.params as Record<string, unknown>;
  // Under a key that looks like a secret (or api_key_env, where keys get pasted), the value is described, never shown.
  const data: unknown = segs.some((s) => looksSecretKey(s) || s === 'api_key_env') ? hidden(err.data) : err.data;
  switch (err.keyword) {
    case 'type':
    case 'enum':
    case 'const':
    case 'pattern':
    case 'format':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { segments: segs, kind: 'value', message: expectedGot(parent, data) };
    case 'minLength':
      return { segments: segs, kind: 'value', message: `must be ${expected(parent)}, got ${describeValue(data)}` };
    case 'minItems':
    case 'maxItems': {
      const n = Array.isArray(data) ? data.length : 0;
      return { segments: segs, kind: 'value', message: `must be ${expected(parent)}, got ${count(n, 'item')}` };
    }
    case 'uniqueItems': {
      // Point at the second occurrence: ajv names both indices (i, j).
      const later = Math.max(Number(p.i), Number(p.j));
      const dup = Array.isArray(data) ? data[later] : undefined;
      return { segments: [...segs, later], kind: 'value', message: `must not repeat items; ${describeValue(dup)} is listed twice` };
    }
    case 'minProperties':
      return { segments: segs, kind: 'value', message: `must have at least ${count(Number(p.limit), 'entry')}, got none` };
    case 'required': {
      const missing = String(p.missingProperty);
      return { segments: [...segs, missing], kind: 'parent', message: `missing required key "${missing}"` };
    }
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      if (looksSecretKey(key)) {
        return { segments: [...segs, key], kind: 'key', message: `unknown key "${key}" (its value is not shown); ${SECRETS_MESSAGE}` };
      }
      const keys = allowedKeys(parent);
      const hint = suggest(key, keys);
      const message = hint
        ? `unknown key "${key}"; did you mean "${hint}"?`
        : `unknown key "${key}"; allowed keys: ${keys.join(', ')}`;
      return { segments: [...segs, key], kind: 'key', message };
    }
    case 'discriminator': {
      const tag = String(p.tag);
      const options = (deref(parent)?.oneOf ?? [])
        .map((b) => deref(b)?.properties?.[tag]?.const)
        .filter((v): v is string => typeof v === 'string');
      const value = (data as Record<string, unknown> | null)?.[tag];
      if (value === undefined) {
        return { segments: [...segs, tag], kind: 'parent', message: `missing required key "${tag}" (one of: ${options.join(', ')})` };
      }
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      return {
        segments: [...segs, tag],
        kind: 'value',
        message: `must be one of: ${options.join(', ')}; got ${describeValue(value)}${hint}`,
      };
    }
    case 'oneOf':
    case 'anyOf':
      return { segments: segs, kind: 'value', message: `must be ${expected(parent)}, got ${describeValue(data)}` };
    default:
      return { segments: segs, kind: 'value', message: `is not valid (${err.keyword})` };
  }
}

const VALUE_KEYWORDS = new Set(['enum', 'const', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'minItems', 'maxItems', 'oneOf', 'anyOf']);

/**
 * One message per problem: a type error hides the other complaints about the same value, a
 * missing discriminator tag is reported once, and `api_key` keys are left to the semantic check.
 */
export function translateErrors(errors: readonly SchemaError[]): RawIssue[] {
  const typed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const valued = new Set<string>();
  const required = new Set(
    errors.filter((e) => e.keyword === 'required').map((e) => `${e.instancePath}/${String(e.params.missingProperty)}`),
  );
  const out: RawIssue[] = [];
  for (const err of errors) {
    const ip = err.instancePath;
    if (typed.has(ip) && err.keyword !== 'type') continue;
    if (VALUE_KEYWORDS.has(err.keyword) || err.keyword === 'type') {
      if (valued.has(ip)) continue;
      valued.add(ip);
    }
    if (err.keyword === 'discriminator' && required.has(`${ip}/${String(err.params.tag)}`)) continue;
    if (err.keyword === 'additionalProperties' && err.params.additionalProperty === 'api_key' && ip.startsWith('/models')) continue;
    const raw = translate(err);
    if (raw) out.push(raw);
  }
  return out;
}
