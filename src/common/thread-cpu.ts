import { readFileSync } from 'node:fs';

let unavailable = false;

/**
 * The calling thread's CPU time in microseconds, from Linux's /proc/thread-self/schedstat (its
 * time on a CPU, in nanoseconds); null where there is no such file. `process.cpuUsage()` counts
 * every thread of the process (V8's collector and compiler threads, DuckDB's), and Node 20 has
 * no per-thread figure of its own.
 */
export function threadCpuMicros(): number | null {
  if (unavailable) return null;
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ', 1)[0]) / 1000;
  } catch {
    unavailable = true;
    return null;
  }
}
