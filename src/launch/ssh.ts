/**
 * The ssh command lines `launch` runs for a cluster: pure, no I/O.
 * ssh joins its arguments into one string for the remote login shell, so the remote command is
 * built as one string from shell-quoted pieces; the local side is an argv (no local shell).
 * The start command keeps ssh attached to the server for its whole life: the local ssh exiting
 * is the server exiting (early-exit detection and the server's output in the local log, as for
 * a local server). The server runs in its own session (`setsid`) whose id goes to a PID file on
 * the host, so the stop command can TERM, then KILL, its whole process group.
 */
import type { ClusterConfig } from '../config/types.js';
import { shellQuote, type PlannedInstance } from './plan.js';

/** `SOCIALSIM_SSH` (words split on blanks) when set, else `cluster.ssh_command`. */
export function sshProgram(cluster: Pick<ClusterConfig, 'ssh_command'>, env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const fromEnv = env.SOCIALSIM_SSH?.trim();
  return fromEnv ? fromEnv.split(/\s+/) : cluster.ssh_command;
}

export function pidFile(pidDir: string, inst: Pick<PlannedInstance, 'model' | 'port'>): string {
  return `${pidDir.replace(/\/+$/, '')}/${inst.model.replace(/[^\w.-]+/g, '_')}-${inst.port}.pid`;
}

/** Writes the server's pid (its process group and session id) to $1, then becomes the server ($2). */
const START_SCRIPT = 'echo $$ > "$1" && exec sh -c "$2"';

/** The remote command that starts one instance and lasts as long as it runs. */
export function remoteStart(inst: PlannedInstance, pidDir: string): string {
  return [
    `mkdir -p ${shellQuote(pidDir)} &&`,
    `exec env CUDA_VISIBLE_DEVICES=${shellQuote(inst.env.CUDA_VISIBLE_DEVICES)}`,
    // -w: when the login shell already leads a process group, setsid forks; wait for the child.
    `setsid -w sh -c ${shellQuote(START_SCRIPT)} sh ${shellQuote(pidFile(pidDir, inst))} ${shellQuote(inst.command)} < /dev/null`,
  ].join(' ');
}

/** TERM to the group in $1's PID file, up to $2 seconds, then KILL; no PID file, nothing to do. */
const STOP_SCRIPT =
  'f=$1; [ -f "$f" ] || exit 0; p=$(cat "$f"); kill -TERM -"$p" 2>/dev/null; i=0; ' +
  'while kill -0 -"$p" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 1; i=$((i+1)); done; ' +
  'kill -KILL -"$p" 2>/dev/null; rm -f "$f"';

export function remoteStop(inst: PlannedInstance, pidDir: string, graceS: number): string {
  return `sh -c ${shellQuote(STOP_SCRIPT)} sh ${shellQuote(pidFile(pidDir, inst))} ${Math.max(0, Math.ceil(graceS))}`;
}

/** The local argv: the ssh program and its options, the destination, the one remote string. */
export function sshArgv(program: readonly string[], inst: PlannedInstance, remote: string): string[] {
  if (inst.node === undefined) throw new Error(`instance ${inst.model}:${inst.port} has no cluster host`);
  return [...program, inst.node.sshTarget, remote];
}

/** An argv as a line a user can paste into a shell. */
export const argvLine = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
