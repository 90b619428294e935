/**
 * Test-only fault injection; never set in normal use, and no README entry. The crash-point and
 * disk-full tests set these environment variables on a CLI process:
 *
 *   SOCIALSIM_TEST_CRASH=<point>[:<step>]  the process SIGKILLs itself at that point:
 *     after-folder        the run folder holds experiment.resolved.yaml and run.json, no sim.duckdb
 *     after-commit:N      step N is committed, run.json and events.jsonl not yet written for it
 *     during-report       report.html.tmp is written, not yet renamed to report.html
 *     hang-after-commit:N step N is committed; the process then waits forever (a live run to race)
 *     sweep-parent:N      a sweep child that has committed step N SIGKILLs its parent (the sweep)
 *   SOCIALSIM_TEST_FAULT=enospc@<where>:<step>  one ENOSPC error, as a full disk gives:
 *     enospc@commit:N     step N's COMMIT fails and DuckDB drops the transaction
 *     enospc@runjson:N    the run.json write after step N's commit fails, leaving a 0-byte temp file
 *
 * Read once at load: a check costs a comparison, so the run path does not slow down.
 */
const CRASH = parse(process.env.SOCIALSIM_TEST_CRASH);
const FAULT = parse(process.env.SOCIALSIM_TEST_FAULT);
let faultFired = false;
let sweepChild = false;

function parse(value: string | undefined): { point: string; step: number | null } | null {
  if (!value) return null;
  const m = /^([a-z@-]+)(?::(\d+))?$/.exec(value);
  return m ? { point: m[1]!, step: m[2] === undefined ? null : Number(m[2]) } : null;
}

function matches(hook: { point: string; step: number | null } | null, point: string, step?: number): boolean {
  return hook !== null && hook.point === point && (hook.step === null || hook.step === step);
}

/** Dies here, as `kill -9` would, if SOCIALSIM_TEST_CRASH names this point (and step). */
export function crashPoint(point: string, step?: number): void {
  if (matches(CRASH, point, step)) process.kill(process.pid, 'SIGKILL');
}

/** Never resolves if SOCIALSIM_TEST_CRASH names this point: the process stays alive, its run locked. */
export async function hangPoint(point: string, step?: number): Promise<void> {
  if (!matches(CRASH, point, step)) return;
  setInterval(() => undefined, 1 << 30);
  await new Promise<never>(() => undefined);
}

/** Called by the sweep's child process, the only one `killParentPoint` acts in. */
export function markSweepChild(): void {
  sweepChild = true;
}

/** A sweep child kills the sweep that started it (SOCIALSIM_TEST_CRASH=sweep-parent:N). */
export function killParentPoint(point: string, step?: number): void {
  if (sweepChild && matches(CRASH, point, step)) process.kill(process.ppid, 'SIGKILL');
}

/** The error a full disk gives, once, if SOCIALSIM_TEST_FAULT names this point (and step); else null. */
export function injectedFault(point: string, step?: number): Error | null {
  if (faultFired || !FAULT?.point.startsWith('enospc@') || !matches({ ...FAULT, point: FAULT.point.slice('enospc@'.length) }, point, step)) return null;
  faultFired = true;
  return Object.assign(new Error('ENOSPC: no space left on device, write (injected by SOCIALSIM_TEST_FAULT)'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

/** Throws `injectedFault`'s error, if any. */
export function faultPoint(point: string, step?: number): void {
  const fault = injectedFault(point, step);
  if (fault) throw fault;
}
