/**
 * Brings one run folder to a final state in a child process (`child.ts`, its own DuckDB
 * writer): a completed run is skipped, an unfinished one resumed, a missing one run (a folder
 * without run.json is replaced). Shared by `sweep` and `calibrate`.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledFile } from '../common/build.js';
import { packageDir } from '../common/packages.js';
import { readRunInfo, RUN_FILES, type RunInfo } from '../engine/run-folder.js';
import { estimateRunFile, processFlagsFor } from '../config/capacity.js';

const tsxLoader = (): string => pathToFileURL(join(packageDir('tsx'), 'dist', 'loader.mjs')).href;

/**
 * Node's arguments for `child.ts`: its compiled sibling when this module is compiled, the
 * compiled child in dist/ when the sources run (vitest, tsx) and dist/ is fresh, else the
 * source through tsx (~1–2 s more per run to start).
 */
function childArgs(): string[] {
  if (import.meta.url.endsWith('.js')) return [fileURLToPath(new URL('./child.js', import.meta.url))];
  const compiled = compiledFile('src/sweep/child.ts');
  return compiled !== null ? [compiled] : ['--import', tsxLoader(), fileURLToPath(new URL('./child.ts', import.meta.url))];
}

/** Statuses a run does not come back from: such a folder is reused as it is. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'budget_exhausted']);

export type Plan = 'skip' | 'run' | 'force' | 'resume';

export function planOf(runDir: string): Plan {
  if (!existsSync(runDir)) return 'run';
  if (!existsSync(join(runDir, RUN_FILES.info))) return 'force';
  return FINAL_STATUSES.has(readRunInfo(runDir).status) ? 'skip' : 'resume';
}

/** Runs the child process of one run; resolves with its exit code. Its output goes to `logPath`. */
export function runChild(args: readonly string[], logPath: string, nodeFlags: readonly string[] = []): Promise<number> {
  const fd = openSync(logPath, 'a');
  return new Promise((done) => {
    // stdin a pipe nobody writes to: its end tells the child this process died (child.ts).
    const child = spawn(process.execPath, [...nodeFlags, ...childArgs(), ...args], { stdio: ['pipe', fd, fd] });
    closeSync(fd);
    child.on('error', () => done(1));
    child.on('exit', (code) => done(code ?? 1));
  });
}

export function lastLines(path: string, n: number): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-n).join(' | ');
  } catch {
    return '';
  }
}

export interface ChildRun {
  /** `<results-root>/<experiment>/<run-id>`. */
  readonly runDir: string;
  /** The run's experiment (resolved YAML), for a run that has to start. */
  readonly experimentYaml: string;
  readonly resultsRoot: string;
  /** The experiment file the user gave (run.json's git note). */
  readonly file: string;
  readonly logPath: string;
  /** Leave out report.html (`socialsim report <run-dir>` writes it later). */
  readonly noReport?: boolean;
  /** The command run.json records as having started the run (default sweep). */
  readonly by?: string;
}

export interface ChildRunResult {
  readonly plan: Plan;
  /** The run's status after the child (run.json), `failed` when it has none or still says running. */
  readonly status: string;
  readonly error: string | null;
  readonly info: RunInfo | undefined;
  /** Wall time of the child process (0 when skipped). */
  readonly ms: number;
}

/** Skips, resumes or runs `r` as its folder says; never throws for a failed run (the result says so). */
export async function runInChild(r: ChildRun): Promise<ChildRunResult> {
  const plan = planOf(r.runDir);
  const t0 = performance.now();
  let note = '';
  if (plan !== 'skip') {
    const flags = [...(r.noReport ? ['--no-report'] : []), ...(r.by ? [`--by=${r.by}`] : [])];
    const args = plan === 'resume' ? ['resume', r.runDir, ...flags] : ['run', r.experimentYaml, r.resultsRoot, r.file, ...(plan === 'force' ? ['--force'] : []), ...flags];
    // A run larger than Node's default heap gets one that fits, a coordinator of workers no memory reducer (as `socialsim run` restarts itself).
    const v8Flags = processFlagsFor(estimateRunFile(r.experimentYaml));
    const code = await runChild(args, r.logPath, v8Flags ?? []);
    if (code !== 0) note = lastLines(r.logPath, 3) || `exit code ${code}`;
  }
  const ms = plan === 'skip' ? 0 : performance.now() - t0;
  const info = existsSync(join(r.runDir, RUN_FILES.info)) ? readRunInfo(r.runDir) : undefined;
  const status = info?.status === 'running' || !info ? 'failed' : info.status;
  return { plan, status, error: info?.error ?? (note || null), info, ms };
}
