/**
 * Process groups of launched servers: liveness, TERM-then-KILL, and a last-resort cleanup on
 * process exit and on signals nobody else handles, so servers never outlive socialsim.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const errCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

/**
 * Whether any process of group `pgid` still runs. Zombies do not count: an orphaned server
 * is reparented to PID 1, which in a container may never reap it.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      // pid (comm) state ppid pgrp ... — comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** SIGTERM to the group, up to `graceMs` for it to go, then SIGKILL. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await sleep(50);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let k = 0; k < 40 && groupAlive(pgid); k++) await sleep(50);
}

/** Something that owns process groups and can stop them. */
export interface GroupOwner {
  /** Process groups still to be stopped. */
  liveGroups(): number[];
  stop(): Promise<void>;
}

const owners = new Set<GroupOwner>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** On exit nothing can be awaited: TERM now, and a detached reaper KILLs leftovers in 10 s. */
function onExit(): void {
  const groups = [...owners].flatMap((o) => o.liveGroups()).filter((g) => signalGroup(g, 'SIGTERM'));
  if (groups.length === 0) return;
  const list = groups.map((g) => `-${g}`).join(' ');
  try {
    spawn('/bin/sh', ['-c', `sleep 10; kill -s KILL -- ${list} 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    // the TERM already went out
  }
}

/**
 * A signal: if another listener handles it (the run stops after the step in flight and its
 * caller stops the servers), leave it to them; otherwise stop every server and exit.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  void Promise.allSettled([...owners].map((o) => o.stop())).then(() => process.exit(EXIT_CODES[signal] ?? 1));
}

const handlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));

export function registerOwner(owner: GroupOwner): void {
  if (owners.size === 0) {
    process.on('exit', onExit);
    for (const [s, h] of handlers) process.on(s, h);
  }
  owners.add(owner);
}

export function unregisterOwner(owner: GroupOwner): void {
  if (!owners.delete(owner) || owners.size > 0) return;
  process.off('exit', onExit);
  for (const [s, h] of handlers) process.off(s, h);
}
