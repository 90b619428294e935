import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { launchServers, LaunchError, type RunningServers } from '../../src/launch/launch.js';
import { planServers, type ServerPlan } from '../../src/launch/plan.js';
import { tempDir } from '../helpers/tmp.js';
import { FAKE_SERVE, freePorts, occupy, portIsFree, processAlive, ROOT } from './helpers.js';

const running: RunningServers[] = [];
const occupied: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await Promise.all(occupied.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** One model per entry, each on its own port, with its own serve command. */
function plan(models: readonly { ports: readonly number[]; command: string; readyS?: number }[]): ServerPlan {
  const yaml = models
    .map((m, i) => `  m${i}: { provider: openai-compatible, model: fake-model, ports: [${m.ports.join(', ')}], serve: { command: ${JSON.stringify(m.command)}, ready_timeout_s: ${m.readyS ?? 30} } }`)
    .join('\n');
  const cohorts = models.map((_, i) => `  - { name: c${i}, count: 2, model: m${i} }`).join('\n');
  const exp = parseExperiment(`name: launch-test\nclock: { timesteps: 1, step: 1h }\nmodels:\n${yaml}\ncohorts:\n${cohorts}\n`, 'launch.yaml');
  return planServers(exp, { gpus: 8 });
}

async function launchError(p: Promise<unknown>): Promise<LaunchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LaunchError) return e;
    throw e;
  }
  throw new Error('expected a LaunchError');
}

describe('launchServers', () => {
  it('when two fake servers are launched then /v1/models answers on both and stop() frees their ports', async () => {
    const ports = await freePorts(2);
    const logDir = tempDir();
    const lines: string[] = [];
    const signalListeners = process.listenerCount('SIGINT');
    const servers = await launchServers(plan([{ ports, command: FAKE_SERVE }]), { logDir, log: (l) => lines.push(l), cwd: ROOT });
    running.push(servers);
    expect(servers.servers.map((s) => s.instance.port)).toEqual(ports);
    for (const port of ports) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { id: string }[] }).data[0]!.id).toBe('fake-model');
    }
    expect(process.listenerCount('SIGINT')).toBe(signalListeners + 1);
    await servers.stop();
    await servers.stop(); // idempotent
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
    for (const s of servers.servers) expect(processAlive(s.pid)).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(signalListeners);
    expect(readFileSync(join(logDir, `m0-${ports[0]}.log`), 'utf8')).toContain(`listening http://127.0.0.1:${ports[0]}/v1`);
    expect(lines.filter((l) => l.startsWith('ready '))).toHaveLength(2);
    expect(lines.at(-1)).toBe('stopping 2 servers');
  });

  it('when a server exits at once then launch fails with its exit code and log tail, and the other server is stopped', async () => {
    const [good, bad] = await freePorts(2);
    const dir = tempDir();
    const pidFile = join(dir, 'good.pid');
    const p = plan([
      { ports: [good!], command: `echo $$ > ${pidFile}; exec ${FAKE_SERVE}` },
      { ports: [bad!], command: `sleep 1; echo "CUDA out of memory" >&2; exit 3` },
    ]);
    const err = await launchError(launchServers(p, { logDir: dir, cwd: ROOT }));
    expect(err.code).toBe('launch.exited');
    expect(err.server).toBe(`m1:${bad}`);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(new RegExp(`^server m1:${bad} exited with code 3 before it was ready\\nlast lines of .*m1-${bad}\\.log:\\n  \\| CUDA out of memory$`));
    expect(err.logTail).toEqual(['CUDA out of memory']);
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(await portIsFree(good!)).toBe(true);
  });

  it('when a server never answers within ready_timeout_s then launch fails with a timeout and the process is killed', async () => {
    const [port] = await freePorts(1);
    const dir = tempDir();
    const pidFile = join(dir, 'sleep.pid');
    // An hour's sleep: had launch waited for the server to exit, the test would time out.
    const err = await launchError(launchServers(plan([{ ports: [port!], command: `echo $$ > ${pidFile}; exec sleep 3600`, readyS: 1 }]), {}));
    expect(err.code).toBe('launch.timeout');
    expect(err.message).toBe(`server m0:${port} did not answer GET http://127.0.0.1:${port}/v1/models within 1 s (serve.ready_timeout_s); it was stopped`);
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('when a planned port is already in use then launch fails before starting anything', async () => {
    const [busy, free] = await freePorts(2);
    occupied.push(await occupy(busy!));
    const dir = tempDir();
    const marker = join(dir, 'started');
    const err = await launchError(launchServers(plan([{ ports: [free!, busy!], command: `touch ${marker}; exec sleep 30` }])));
    expect(err.code).toBe('launch.port_in_use');
    expect(err.message).toBe(`port ${busy} on 127.0.0.1 is already in use (model "m0")\nnothing was started`);
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(marker)).toBe(false);
  });

  it('when the process exits without calling stop() then the exit hook takes the servers down', async () => {
    const [port] = await freePorts(1);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/launch/exit-without-stop.ts'), String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ready \d+\n$/);
    const deadline = Date.now() + 5000;
    while (!(await portIsFree(port!)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(await portIsFree(port!)).toBe(true);
  });
});
