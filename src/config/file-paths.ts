/**
 * Where an experiment may read files from: prompt templates, dataset tables and seed post
 * files must resolve (symlinks followed) inside the experiment file's folder or its data root,
 * so a shared experiment cannot send `../../../../etc/passwd` to a model as a system prompt.
 * The data root is `data_root` (relative to the experiment file), else the project the file
 * sits in (the nearest folder above it with a package.json or .git), else its own folder.
 * `allow_outside_paths: true` lifts the restriction; files that are not regular files (FIFOs,
 * devices, directories, anything under /proc, /sys or /dev) are refused before reading in any case.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

type Rec = Record<string, unknown>;

export interface PathPolicy {
  /** The experiment file's folder: relative paths are relative to it. */
  readonly baseDir: string;
  /** Real paths files must be inside. */
  readonly roots: readonly string[];
  /** The data root as an absolute path (what a run folder's resolved experiment records). */
  readonly dataRoot: string;
  readonly allowOutside: boolean;
  /**
   * Whether the value at a path came from the user's own command line (`--set`, `--against`):
   * such a path is the user's choice, not a shared file's, and may point anywhere.
   */
  readonly fromCommandLine: (segments: readonly (string | number)[]) => boolean;
  /** Filled by `checkInputFile`: paths outside the roots accepted because the user gave them. */
  readonly waived: string[];
}

const realOr = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** The nearest folder at or above `dir` holding a package.json or .git, if any. */
function projectRoot(dir: string): string | undefined {
  for (let cur = dir; ; cur = dirname(cur)) {
    if (existsSync(join(cur, 'package.json')) || existsSync(join(cur, '.git'))) return cur;
    if (dirname(cur) === cur) return undefined;
  }
}

/** The policy of an experiment's (not yet validated) data, read defensively. */
export function pathPolicy(data: Rec, baseDir: string, fromCommandLine: PathPolicy['fromCommandLine'] = () => false): PathPolicy {
  const given = typeof data.data_root === 'string' && data.data_root !== '' ? data.data_root : undefined;
  const dataRoot = given !== undefined ? resolve(baseDir, given) : (projectRoot(baseDir) ?? baseDir);
  return { baseDir, roots: [realOr(baseDir), realOr(dataRoot)], dataRoot, allowOutside: data.allow_outside_paths === true, fromCommandLine, waived: [] };
}

/** Pseudo-filesystems whose "files" are the process's environment, memory or devices. */
const SPECIAL = ['/proc', '/sys', '/dev'];

const inside = (path: string, root: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
};

/** Why the file at a real path must not be read (a directory, FIFO, device, /proc …), or null. */
export function notRegular(real: string): string | null {
  if (SPECIAL.some((s) => real === s || real.startsWith(`${s}/`))) return `is not a regular file (${real.split('/')[1]} holds system files); give a data file`;
  const st = statSync(real);
  if (st.isFile()) return null;
  const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
  return `is ${kind}, not a regular file`;
}

/** `notRegular` of a path as given (symlinks followed); null when it does not exist. */
export function notRegularFile(path: string): string | null {
  return existsSync(path) ? notRegular(realOr(path)) : null;
}

/**
 * The absolute path of an input file the experiment names, or why it cannot be read.
 * `what` names it in messages: "prompt template", "file", "posts file".
 */
export function checkInputFile(given: string, policy: PathPolicy, what: string, at: readonly (string | number)[]): { path: string } | { error: string } {
  const path = isAbsolute(given) ? given : resolve(policy.baseDir, given);
  if (!existsSync(path)) return { error: `${what} not found: ${path}` };
  const real = realOr(path);
  const shownReal = real === path ? path : `${path} (which is ${real})`;
  const problem = notRegular(real);
  if (problem) return { error: `${what} ${shownReal} ${problem}` };
  if (!policy.allowOutside && !policy.roots.some((r) => inside(real, r))) {
    if (policy.fromCommandLine(at)) {
      policy.waived.push(path);
      return { path };
    }
    return {
      error:
        `${what} ${shownReal} is outside the experiment's folder and its data root (${policy.dataRoot}); ` +
        'move it there, set data_root to a folder that holds it, or set allow_outside_paths: true',
    };
  }
  return { path };
}

/** Whether the experiment names any input file (its resolved copy then records the data root). */
export function namesFiles(data: Rec): boolean {
  const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
  const models = isRec(data.models) ? Object.values(data.models) : [];
  const dataset = isRec(data.dataset) ? Object.values(data.dataset) : [];
  const seeds = Array.isArray(data.seeds) ? data.seeds : [];
  return (
    models.some((m) => isRec(m) && isRec(m.prompts) && (typeof m.prompts.system === 'string' || typeof m.prompts.user === 'string')) ||
    dataset.some((t) => isRec(t) && typeof t.path === 'string') ||
    seeds.some((s) => isRec(s) && typeof s.posts_file === 'string')
  );
}
