import type { DatasetTableConfig } from '../config/types.js';
import { RowProblem, type SkipReport } from './bad-rows.js';
import { flag, id, oneOf, required, text, time } from './fields.js';
import type { LoadedUsers } from './load-users.js';
import { readTable, tableInput, type FieldSpec } from './table.js';

export const POST_KINDS = ['original', 'repost', 'quote', 'comment'] as const;
export type PostKind = (typeof POST_KINDS)[number];

/** A real post as read from `dataset.posts`. */
export interface DatasetPost {
  readonly id: string;
  /** The author's id in `dataset.users`. */
  readonly author: string;
  /** '' for a plain repost. */
  readonly text: string;
  /** Epoch milliseconds, when the file gives a time. */
  readonly time?: number;
  /** The post reposted, quoted or replied to: an id of another row of the file. */
  readonly parent?: string;
  readonly kind: PostKind;
  /** Carried into the platform's posts.label, e.g. `rumour`, `misinformation`. */
  readonly label?: string;
  /** The researcher asks for this post's cascade to be tracked in reports. */
  readonly track?: boolean;
}

export interface LoadedPosts extends SkipReport {
  readonly file: string;
  /** In file order. */
  readonly rows: readonly DatasetPost[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'id', required: true },
  { name: 'author', required: true },
  { name: 'text' },
  { name: 'time' },
  { name: 'parent' },
  { name: 'kind' },
  { name: 'label' },
  { name: 'track' },
];

/**
 * Without a kind column: original when there is no parent; with one, a repost when the text
 * is empty and a comment (a reply) otherwise — replies far outnumber quotes in real data; say
 * `kind: quote` to have a quote.
 */
function kindOf(given: PostKind | undefined, parent: string | undefined, body: string): PostKind {
  if (given === undefined) return parent === undefined ? 'original' : body.trim() === '' ? 'repost' : 'comment';
  if (given === 'original' && parent !== undefined) throw new RowProblem('parent', `an original post has no parent (kind is original), got "${parent}"`);
  if (given !== 'original' && parent === undefined) throw new RowProblem('parent', `missing: a ${given} needs the id of the post it answers`);
  return given;
}

export async function loadPosts(cfg: DatasetTableConfig, baseDir: string, users: LoadedUsers): Promise<LoadedPosts> {
  const input = tableInput(cfg, baseDir);
  const rows: DatasetPost[] = [];
  const lines: number[] = [];
  const byId = new Map<string, number>();
  await readTable(input, FIELDS, (c) => {
    const postId = required(id(c.get('id'), 'id'), 'id');
    const seen = byId.get(postId);
    if (seen !== undefined) throw new RowProblem('id', `duplicate id "${postId}" (first on line ${lines[seen]})`);
    const author = required(id(c.get('author'), 'author'), 'author');
    if (!users.index.has(author)) throw new RowProblem('author', `no user with id "${author}" in ${users.file}`);
    const body = text(c.get('text'), 'text') ?? '';
    const parent = id(c.get('parent'), 'parent');
    if (parent === postId) throw new RowProblem('parent', `post "${postId}" is its own parent`);
    const kind = kindOf(oneOf(c.get('kind'), 'kind', POST_KINDS), parent, body);
    byId.set(postId, rows.length);
    lines.push(c.line);
    const label = text(c.get('label'), 'label')?.trim() || undefined;
    const track = flag(c.get('track'), 'track');
    rows.push({ id: postId, author, text: body, time: time(c.get('time'), 'time'), parent, kind, ...(label !== undefined ? { label } : {}), ...(track ? { track } : {}) });
  });
  const keep = withParents(rows, byId, (i, reason) => input.bad.report(lines[i] as number, columnName(input, 'parent'), reason, 'parent'));
  return { file: input.file, rows: rows.filter((_, i) => keep[i] === OK), ...input.bad.summary() };
}

/** The file's column for `parent` in messages (the mapping, else the field's own name). */
function columnName(input: { columns: Readonly<Record<string, string | undefined>> }, field: string): string {
  return input.columns[field] ?? field;
}

/** States of a post while its parent chain is checked (0: not yet). */
const OK = 1;
const BAD = 2;
const VISITING = 3;

/**
 * Marks each post OK when its parent chain reaches an original post within the file, BAD
 * otherwise (parent missing, parent left out, or a loop), reporting each bad post in file
 * order. Parents may come after their children in the file. Iterative: reply chains can be
 * longer than the call stack.
 */
function withParents(rows: readonly DatasetPost[], byId: ReadonlyMap<string, number>, bad: (i: number, reason: string) => void): Uint8Array {
  const state = new Uint8Array(rows.length);
  const reasons = new Map<number, string>();
  for (let i = 0; i < rows.length; i++) {
    const chain: number[] = [];
    let j = i;
    let verdict = OK;
    for (;;) {
      if (state[j] === OK || state[j] === BAD) {
        verdict = state[j] as number;
        break;
      }
      if (state[j] === VISITING) {
        verdict = BAD;
        reasons.set(j, `the parent chain loops back to post "${(rows[j] as DatasetPost).id}"`);
        break;
      }
      state[j] = VISITING;
      chain.push(j);
      const parent = (rows[j] as DatasetPost).parent;
      if (parent === undefined) break;
      const p = byId.get(parent);
      if (p === undefined) {
        verdict = BAD;
        reasons.set(j, `no post with id "${parent}" in the file`);
        break;
      }
      j = p;
    }
    for (const k of chain) {
      state[k] = verdict;
      if (verdict === BAD && !reasons.has(k)) reasons.set(k, `its parent "${(rows[k] as DatasetPost).parent}" was left out (see that row)`);
    }
  }
  [...reasons.keys()].sort((a, b) => a - b).forEach((i) => bad(i, reasons.get(i) as string));
  return state;
}
