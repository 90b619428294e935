import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableChecksums } from '../../src/analysis/checksums.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

/** A tiny experiment: a CLI run of it takes about a second. */
export const TINY_YAML = `
name: tiny
seed: 5
clock: { timesteps: 5, step: 1h, start: 2024-06-17T08:00:00Z }
cohorts:
  - { name: all, count: 30, model: stat, activity: 0.6 }
`;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

/** Runs the CLI to its end (or its death), with extra environment variables (the test hooks). */
export function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

export interface RunJson {
  status: string;
  steps_completed: number;
  actions: number;
  failed_actions: number;
  error?: string;
}

export function runJson(dir: string): RunJson {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunJson;
}

/** The one run folder under `<root>/<experiment>/` (sweep folders left out). */
export function onlyRun(root: string, experiment: string): string {
  const runs = readdirSync(join(root, experiment)).filter((f) => !f.startsWith('sweep-'));
  if (runs.length !== 1) throw new Error(`expected one run folder in ${root}/${experiment}, found ${runs.join(', ')}`);
  return join(root, experiment, runs[0]!);
}

/** The steps events.jsonl has a `step` line for, in file order. */
export function stepLines(dir: string): number[] {
  const path = join(dir, 'events.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"step"'))
    .map((l) => (JSON.parse(l) as { step: number }).step);
}

/** What must equal between a resumed run and an uninterrupted one: every table and run.json's totals. */
export async function outcomeOf(dir: string): Promise<{ tables: unknown; totals: Pick<RunJson, 'status' | 'steps_completed' | 'actions' | 'failed_actions'> }> {
  const { status, steps_completed, actions, failed_actions } = runJson(dir);
  return { tables: await tableChecksums(join(dir, 'sim.duckdb')), totals: { status, steps_completed, actions, failed_actions } };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
