/** Config problems as the user sees them: `file:line:col path: message`. */
import { maskSecrets } from './secrets.js';

export interface ConfigIssue {
  /** The file as given, or `--set` / `--seed` when the value came from the command line. */
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
  /** JS-style path of the offending field, e.g. `cohorts[1].count`; `(root)` for the whole file. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;

/** `quickstart.yaml:14:12 cohorts[1].count: must be integer ≥ 1, got "ten"`. */
export function formatIssue(i: ConfigIssue): string {
  let where = i.file;
  if (i.line !== undefined) {
    where += `:${i.line}`;
    if (i.col !== undefined) where += `:${i.col}`;
  }
  return i.path === '' ? `${where}: ${i.message}` : `${where} ${i.path}: ${i.message}`;
}

export class ConfigError extends Error {
  readonly code = 'config.invalid';
  readonly exitCode = 2;
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const n = issues.length;
    super(
      `${n} problem${n === 1 ? '' : 's'} in the experiment config:\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['cohorts', 1, 'count']` → `cohorts[1].count`; `[]` → `(root)`. Digit strings render as indexes. */
export function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number' || /^(0|[1-9][0-9]*)$/.test(seg)) out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `/cohorts/1/count` → `['cohorts', '1', 'count']`. */
export function pointerToSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Sorts issues by line then column; issues without a line (command line) keep their order at the end. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, idx) => ({ issue, idx }))
    .sort((a, b) => {
      const la = a.issue.line ?? Number.POSITIVE_INFINITY;
      const lb = b.issue.line ?? Number.POSITIVE_INFINITY;
      if (la !== lb) return la - lb;
      const ca = a.issue.col ?? 0;
      const cb = b.issue.col ?? 0;
      return ca !== cb ? ca - cb : a.idx - b.idx;
    })
    .map((x) => x.issue);
}

/** A stand-in for a value that must not be echoed (under a secret-looking key): its kind only. */
export class HiddenValue {
  constructor(readonly kind: string) {}
}

/** Describes a value in a message: `"ten"`, `12`, `a list`, `a mapping`, `an empty value`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (v instanceof HiddenValue) return v.kind;
  if (typeof v === 'string') {
    // A message quotes a value, not a document: long text is cut (it may come from any file).
    const shown = maskSecrets(v);
    return JSON.stringify(shown.length > 120 ? `${shown.slice(0, 117)}...` : shown);
  }
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}
