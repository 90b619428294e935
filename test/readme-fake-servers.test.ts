/**
 * The README's fake-server recipe is a contract: its start line, run in bash (on free ports
 * instead of 8000–8003), serves on every port, and its `kill` line stops every server, each
 * exiting 0, leaving the ports free.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePorts, portIsFree, processAlive, ROOT } from './launch/helpers.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README’s fake servers', () => {
  it('when the start line runs in bash then every port serves, and the kill line stops every server with exit 0', async () => {
    const start = /^ {4}(for p in 8000 8001 8002 8003; do .* & done)$/m.exec(README)?.[1];
    const stop = /^ {4}(kill \$\(jobs -p\))/m.exec(README)?.[1];
    expect(start).toBeDefined();
    expect(stop).toBeDefined();
    const ports = await freePorts(2);
    const script = [
      start!.replace('8000 8001 8002 8003', ports.join(' ')),
      'pids=$(jobs -p)',
      // Until each port accepts a connection (tsx compiles the server first).
      `for p in ${ports.join(' ')}; do until (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; do sleep 0.1; done; done`,
      'echo serving $pids',
      stop!,
      'for pid in $pids; do wait $pid; echo "exit $pid $?"; done',
    ].join('\n');
    // Its own process group, so whatever the recipe leaves running is killed afterwards.
    const bash = spawn('bash', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    bash.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => process.kill(-bash.pid!, 'SIGKILL'), 45_000);
    try {
      const [code] = (await once(bash, 'exit')) as [number | null];
      // The rest of the output; a server left running would hold the pipe open, so not forever.
      await Promise.race([once(bash.stdout, 'end'), new Promise((r) => setTimeout(r, 2_000))]);
      expect(code, out).toBe(0);
      const pids = /^serving (.*)$/m.exec(out)![1]!.trim().split(/\s+/).map(Number);
      expect(pids).toHaveLength(2);
      // Each server printed its address, then exited 0 on the kill, and nothing listens any more.
      for (const p of ports) expect(out).toContain(`listening http://127.0.0.1:${p}/v1`);
      expect(out.match(/^exit \d+ \d+$/gm)?.sort()).toEqual(pids.map((pid) => `exit ${pid} 0`).sort());
      for (const pid of pids) expect(processAlive(pid)).toBe(false);
      for (const p of ports) expect(await portIsFree(p)).toBe(true);
    } finally {
      clearTimeout(timer);
      try {
        process.kill(-bash.pid!, 'SIGKILL');
      } catch {
        // the group is gone: nothing was left running
      }
    }
  }, 60_000);
});
