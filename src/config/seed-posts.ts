import { readFileSync } from 'node:fs';
import { CsvParser, type CsvRecord } from '../data/csv.js';
import { EncodingError, strictUtf8 } from '../data/encoding.js';
import { checkInputFile, type PathPolicy } from './file-paths.js';
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads every seed's `posts_file` (CSV with a header, or JSONL; fields at, text, label) into
 * its `posts`, before validation, so the schema checks those posts like inline ones and the
 * resolved experiment (and its hash) carries them. The path becomes absolute. Problems name
 * the file and line.
 */
export function readSeedPostFiles(data: Rec, policy: PathPolicy): RawIssue[] {
  const out: RawIssue[] = [];
  if (!Array.isArray(data.seeds)) return out;
  data.seeds.forEach((seed: unknown, i: number) => {
    if (!isRec(seed) || typeof seed.posts_file !== 'string' || seed.posts_file === '') return;
    const at = ['seeds', i, 'posts_file'];
    const r = checkInputFile(seed.posts_file, policy, 'posts file', at);
    if ('error' in r) {
      out.push({ segments: at, kind: 'value', message: r.error });
      return;
    }
    const path = r.path;
    let text: string;
    try {
      text = strictUtf8(readFileSync(path));
    } catch (e) {
      if (!(e instanceof EncodingError)) throw e;
      out.push({ segments: at, kind: 'value', message: `${path}:${e.line}: not valid UTF-8 (a Latin-1 or Windows-1252 file?); convert the file to UTF-8` });
      return;
    }
    const parsed = path.endsWith('.jsonl') || path.endsWith('.ndjson') ? jsonlPosts(text) : csvPosts(text);
    if ('error' in parsed) {
      out.push({ segments: at, kind: 'value', message: `${path}:${parsed.line}: ${parsed.error}` });
      return;
    }
    seed.posts = [...(Array.isArray(seed.posts) ? seed.posts : []), ...parsed.posts];
    seed.posts_file = path;
  });
  return out;
}

type Parsed = { posts: Rec[] } | { error: string; line: number };

function post(fields: Readonly<Record<string, unknown>>, line: number): Rec | { error: string; line: number } {
  const at = typeof fields.at === 'string' ? Number(fields.at.trim()) : fields.at;
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0) return { error: `"at" must be a step (integer ≥ 0), got ${JSON.stringify(fields.at ?? null)}`, line };
  if (typeof fields.text !== 'string' || fields.text.trim() === '') return { error: '"text" is missing or empty', line };
  const label = fields.label;
  return label === undefined || label === null || label === '' ? { at, text: fields.text } : { at, text: fields.text, label: String(label) };
}

function csvPosts(text: string): Parsed {
  const records: CsvRecord[] = [];
  const parser = new CsvParser();
  parser.push(text, records);
  parser.end(records);
  const [header, ...rows] = records.filter((r) => !(r.fields.length === 1 && r.fields[0] === ''));
  if (!header) return { posts: [] };
  const names = header.fields.map((f) => f.trim());
  for (const required of ['at', 'text']) if (!names.includes(required)) return { error: `the header has no "${required}" column (columns: ${names.join(', ')})`, line: header.line };
  const posts: Rec[] = [];
  for (const r of rows) {
    if (r.error) return { error: r.error, line: r.line };
    if (r.fields.length !== names.length) return { error: `expected ${names.length} columns, got ${r.fields.length}`, line: r.line };
    const p = post(Object.fromEntries(names.map((n, k) => [n, r.fields[k]])), r.line);
    if ('error' in p) return p as { error: string; line: number };
    posts.push(p);
  }
  return { posts };
}

function jsonlPosts(text: string): Parsed {
  const posts: Rec[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return { error: `not JSON: ${(err as Error).message}`, line: i + 1 };
    }
    if (!isRec(value)) return { error: 'each line must be a JSON object', line: i + 1 };
    const p = post(value, i + 1);
    if ('error' in p) return p as { error: string; line: number };
    posts.push(p);
  }
  return { posts };
}
