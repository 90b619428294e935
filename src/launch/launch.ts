/**
 * Starts the planned server instances and waits until each answers `GET <url>/models`.
 * Each runs `/bin/sh -c <command>` in its own process group (so stopping reaches the server's
 * children too), with CUDA_VISIBLE_DEVICES set, its output appended to `<logDir>/<model>-<port>.log`.
 * If one exits early or is not ready in time, all are stopped and a `LaunchError` says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PlannedInstance, ServerPlan } from './plan.js';
import { checkPort } from './ports.js';
import { registerOwner, stopGroup, unregisterOwner, type GroupOwner } from './process-group.js';
import { remoteStart, remoteStop, sshArgv } from './ssh.js';

export interface LaunchOptions {
  /** Progress lines (starting, ready, stopping); nothing when absent. */
  readonly log?: (line: string) => void;
  /** Replaces every instance's `serve.ready_timeout_s`. */
  readonly readyTimeoutMs?: number;
  readonly cwd?: string;
  /** Default `/bin/sh`; run as `<shell> -c <command>`. */
  readonly shell?: string;
  /** Server output goes to `<logDir>/<model>-<port>.log` (appended); ignored when absent. */
  readonly logDir?: string;
  /** Readiness poll interval, default 250 ms. */
  readonly pollMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL, default 10 s. */
  readonly stopGraceMs?: number;
  /** How instances on a cluster host (`node`) are reached; required when the plan has any. */
  readonly ssh?: { readonly program: readonly string[]; readonly pidDir: string };
}

export interface RunningServer {
  readonly instance: PlannedInstance;
  /** PID of the shell, which is also the process group id. */
  readonly pid: number;
  readonly logFile: string | null;
}

export interface RunningServers {
  readonly servers: readonly RunningServer[];
  /** SIGTERM to every group, up to the grace period, then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

export type LaunchErrorCode = 'launch.port_in_use' | 'launch.exited' | 'launch.timeout' | 'launch.spawn_failed' | 'launch.cancelled';

export class LaunchError extends Error {
  constructor(
    readonly code: LaunchErrorCode,
    message: string,
    /** `model:port` of the server at fault; null for checks over several. */
    readonly server: string | null = null,
    readonly exitCode: number | null = null,
    readonly logTail: readonly string[] = [],
  ) {
    super(message);
    this.name = 'LaunchError';
  }
}

interface Handle extends RunningServer {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the shell exits (or could not be spawned). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>;
  done: boolean;
}

const TAIL_LINES = 20;

/** The last lines of a log file (reads at most its last 64 KiB). */
export function logTail(file: string | null, lines = TAIL_LINES): string[] {
  if (file === null) return [];
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('# socialsim launch')).slice(-lines);
  } finally {
    closeSync(fd);
  }
}

function start(inst: PlannedInstance, opts: LaunchOptions): Handle {
  const name = `${inst.model}:${inst.port}`;
  let logFile: string | null = null;
  let fd: number | 'ignore' = 'ignore';
  if (opts.logDir !== undefined) {
    mkdirSync(opts.logDir, { recursive: true });
    const host = inst.node !== undefined ? `${inst.node.name}-` : '';
    logFile = join(opts.logDir, `${host}${inst.model.replace(/[^\w.-]+/g, '_')}-${inst.port}.log`);
    fd = openSync(logFile, 'a');
    const where = inst.node !== undefined ? ` on ${inst.node.name}` : '';
    writeSync(fd, `# socialsim launch ${new Date().toISOString()}${where}: CUDA_VISIBLE_DEVICES=${inst.env.CUDA_VISIBLE_DEVICES} ${inst.command}\n`);
  }
  try {
    // A cluster instance: the local process is ssh, which lasts as long as the remote server.
    const argv = inst.node !== undefined && opts.ssh ? sshArgv(opts.ssh.program, inst, remoteStart(inst, opts.ssh.pidDir)) : [opts.shell ?? '/bin/sh', '-c', inst.command];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? process.cwd(),
      env: inst.node !== undefined ? process.env : { ...process.env, ...inst.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }));
    });
    const handle: Handle = { instance: inst, pid: child.pid ?? -1, logFile, name, child, exited, done: false };
    void exited.then(() => (handle.done = true));
    return handle;
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

/**
 * Stops a cluster instance on its host through its PID file (ssh's own exit does not reach the
 * server: it runs in its own session). Waits for the stop command up to the grace period + 30 s.
 */
async function stopRemote(inst: PlannedInstance, opts: LaunchOptions): Promise<void> {
  const graceMs = opts.stopGraceMs ?? 10_000;
  const argv = sshArgv(opts.ssh!.program, inst, remoteStop(inst, opts.ssh!.pidDir, graceMs / 1000));
  await new Promise<void>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs + 30_000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
}

/** Resolves when `GET <url>/models` answers 200; rejects on early exit or timeout. */
async function waitReady(h: Handle, timeoutMs: number, pollMs: number, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const url = `${h.instance.url.replace(/\/+$/, '')}/models`;
  for (;;) {
    if (cancelled()) return;
    if (h.done) {
      const r = await h.exited;
      const how = r.error ? `could not be started: ${r.error}` : r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
      throw new LaunchError(r.error ? 'launch.spawn_failed' : 'launch.exited', `server ${h.name} ${how} before it was ready`, h.name, r.code);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new LaunchError('launch.timeout', `server ${h.name} did not answer GET ${url} within ${timeoutMs / 1000} s (serve.ready_timeout_s); it was stopped`, h.name);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1, Math.min(2000, left))) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await Promise.race([sleep(Math.min(pollMs, Math.max(1, deadline - Date.now()))), h.exited]);
  }
}

export async function launchServers(plan: ServerPlan, opts: LaunchOptions = {}): Promise<RunningServers> {
  const log = opts.log ?? ((): void => {});
  const busy: string[] = [];
  const remote = plan.instances.filter((i) => i.node !== undefined);
  if (remote.length > 0 && opts.ssh === undefined) throw new Error('launchServers: cluster instances need opts.ssh');
  // Ports of other machines cannot be checked from here; a busy one shows as an early exit.
  for (const inst of plan.instances.filter((i) => i.node === undefined)) {
    const state = await checkPort(inst.host, inst.port);
    if (state === 'in_use') busy.push(`port ${inst.port} on ${inst.host} is already in use (model "${inst.model}")`);
    else if (state !== 'free') busy.push(`cannot listen on ${inst.host}:${inst.port} (model "${inst.model}"): ${state.error}`);
  }
  if (busy.length > 0) throw new LaunchError('launch.port_in_use', `${busy.join('\n')}\nnothing was started`);

  const handles: Handle[] = [];
  let stopping: Promise<void> | null = null;
  const owner: GroupOwner = {
    liveGroups: () => handles.filter((h) => h.pid > 0).map((h) => h.pid),
    stop: () => {
      stopping ??= (async () => {
        const live = handles.filter((h) => h.pid > 0);
        if (live.length > 0) log(`stopping ${live.length} server${live.length === 1 ? '' : 's'}`);
        // The shell is our child: wait for its exit too, so it is reaped, not left a zombie.
        await Promise.all(live.map(async (h) => {
          if (h.instance.node !== undefined) await stopRemote(h.instance, opts);
          await stopGroup(h.pid, opts.stopGraceMs);
          await Promise.race([h.exited, sleep(1000)]);
        }));
        unregisterOwner(owner);
      })();
      return stopping;
    },
  };
  registerOwner(owner);

  const ready = new Set<Handle>();
  const t0 = performance.now();
  for (const inst of plan.instances) {
    const gpus = inst.gpus.length > 0 ? `GPUs ${inst.gpus.join(',')}` : 'no GPU';
    log(`starting ${inst.model}:${inst.port}${inst.node ? ` on ${inst.node.name}` : ''} (${gpus}): ${inst.command}`);
    handles.push(start(inst, opts));
  }
  for (const h of handles) {
    void h.exited.then((r) => {
      if (stopping === null && ready.has(h)) log(`server ${h.name} exited unexpectedly (${r.signal ?? `code ${r.code}`})`);
    });
  }

  let failed = false;
  try {
    await Promise.all(
      handles.map(async (h) => {
        const timeoutMs = opts.readyTimeoutMs ?? h.instance.readyTimeoutS * 1000;
        await waitReady(h, timeoutMs, opts.pollMs ?? 250, () => failed || stopping !== null);
        if (failed || stopping !== null) return;
        ready.add(h);
        log(`ready ${h.name} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }),
    );
  } catch (err) {
    failed = true;
    await owner.stop();
    if (!(err instanceof LaunchError)) throw err;
    const h = handles.find((x) => x.name === err.server);
    const tail = logTail(h?.logFile ?? null);
    const where = h?.logFile ? (tail.length > 0 ? `\nlast lines of ${h.logFile}:\n${tail.map((l) => `  | ${l}`).join('\n')}` : `\n${h.logFile} is empty`) : '';
    throw new LaunchError(err.code, `${err.message}${where}`, err.server, err.exitCode, tail);
  }
  // stop() was called from elsewhere (a signal) while the servers were starting.
  if (stopping !== null) {
    await stopping;
    throw new LaunchError('launch.cancelled', 'stopped before every server was ready');
  }
  if (handles.length > 0) log(`all ${handles.length} server${handles.length === 1 ? '' : 's'} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { servers: handles.map(({ instance, pid, logFile }) => ({ instance, pid, logFile })), stop: owner.stop };
}
