import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { EndpointOutageError } from '../../src/engine/outage.js';
import { EndpointsUnreachableError } from '../../src/engine/preflight.js';
import { readRunInfo } from '../../src/engine/run-folder.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI } from '../../src/llm/fake-server.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

/** The URL of a server that was just closed: nothing listens on its port (connections are refused). */
async function closedUrl(): Promise<string> {
  const s = await startFakeOpenAI();
  await s.close();
  return s.url;
}

interface Event {
  type: string;
  step?: number;
  endpoint?: string;
  model?: string;
  code?: string;
  message?: string;
  status?: string;
}
const eventsOf = (dir: string): Event[] =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);

/** What the run writes on stderr, while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T | undefined; error: unknown; text: string }> {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { value: await fn(), error: undefined, text: lines.join('') };
  } catch (error) {
    return { value: undefined, error, text: lines.join('') };
  } finally {
    vi.mocked(process.stderr.write).mockRestore();
  }
}

describe('dead endpoints', () => {
  it('when every endpoint of a model is down at the start then the run is refused before step 0 and no folder is made', async () => {
    const [a, b] = [await closedUrl(), await closedUrl()];
    const root = tempDir();
    const err = await runExperiment(experiment(localModel([a, b])), { resultsRoot: root, quiet: true, preflight: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointsUnreachableError);
    const message = (err as Error).message;
    expect(message).toContain(`model "local" has no endpoint that answers (${a}: connection refused (ECONNREFUSED); ${b}: connection refused (ECONNREFUSED))`);
    expect(message).toContain('--no-preflight');
    expect(message).not.toContain('\n');
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
  });

  it('when an endpoint answers GET /models with a 5xx then it counts as down; one that answers lets the run start after one GET /models', async () => {
    const failing = createServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/v1`;
    try {
      const root = tempDir();
      const err = await runExperiment(experiment(localModel([failingUrl])), { resultsRoot: root, quiet: true, preflight: true }).catch((e: unknown) => e);
      expect((err as Error).message).toContain(`model "local" has no endpoint that answers (${failingUrl}: HTTP 503)`);
      const server = await fake(likeTop);
      const { info } = await runExperiment(experiment(localModel([server.url]), ['clock.timesteps=1']), { resultsRoot: root, quiet: true, preflight: true });
      expect(info.status).toBe('completed');
      expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
      expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('when one of two endpoints is down at the start then a warning names it, requests go to the other and the run completes', async () => {
    const dead = await closedUrl();
    const alive = await fake(likeTop);
    const { value, text } = await stderrOf(() => runExperiment(experiment(localModel([dead, alive.url])), { resultsRoot: tempDir(), preflight: true }));
    expect(text).toContain(`warning: model "local": endpoint ${dead} does not answer (connection refused (ECONNREFUSED)); going on with the other 1 of 2\n`);
    const { dir, info } = value!;
    expect(info.status).toBe('completed');
    // A refused connection takes the endpoint out at once: every decision was answered by the other.
    expect(info.llm_usage![0]).toMatchObject({ requests: 60, ok: 60, failed: 0 });
    expect(alive.requests.filter((r) => r.method === 'POST')).toHaveLength(60);
    const down = eventsOf(dir).filter((e) => e.type === 'endpoint_down');
    expect(down).toEqual([expect.objectContaining({ step: 0, model: 'local', endpoint: dead })]);
  });

  it('when the only endpoint fails mid-step for longer than max_outage then the step is not kept, the run stops resumable, and resume completes', async () => {
    let served = 0;
    let down = false;
    const server = await fake((body, req) => {
      // Step 0's 20 decisions are answered; from the 25th request (in step 1) on, the server fails until the test says.
      if (++served === 25) down = true;
      return down ? { status: 503 } : likeTop(body, req);
    });
    const root = tempDir();
    const exp = experiment(localModel([server.url], ', max_outage: 1s'));
    const { error, text } = await stderrOf(() => runExperiment(exp, { resultsRoot: root }));
    expect(error).toBeInstanceOf(EndpointOutageError);
    const outage = error as EndpointOutageError;
    expect(outage.message).toBe(
      `model "local" has had no endpoint answering for 1s (its max_outage): ${server.url}; the run stopped during step 1 and is kept up to step 0`,
    );
    const dir = outage.runDir!;
    // Said on stderr as it happened, before the run stopped (step 1 never printed its line).
    expect(text).toContain(`endpoint down: model "local" ${server.url} stopped answering (step 1)`);
    expect(text).toContain('no endpoint of model "local" answers; requests wait, and the run stops if none is back within 1s (max_outage)');
    expect(text).not.toMatch(/^step 1 /m);
    const info = readRunInfo(dir);
    expect(info).toMatchObject({ status: 'interrupted', steps_completed: 1, error: outage.message });
    const events = eventsOf(dir);
    // Written during step 1: after step 0's line, and step 1 has none.
    expect(events.map((e) => e.type)).toEqual(['run_started', 'step', 'endpoint_down', 'error', 'run_finished']);
    expect(events[2]).toMatchObject({ step: 1, model: 'local', endpoint: server.url });
    expect(events[3]).toMatchObject({ code: 'run.endpoints_down', message: outage.message });
    expect(events[4]).toMatchObject({ status: 'interrupted' });

    down = false;
    const again = await resumeRun(dir, { quiet: true, preflight: true });
    expect(again.info).toMatchObject({ status: 'completed', steps_completed: 3 });
    expect(again.info.error).toBeUndefined();
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      // The failed step left nothing behind: each of the 3 steps holds its 20 answered calls.
      const rows = await db.query<{ step: number; outcome: string; n: number }>(`SELECT step, outcome, count(*)::INTEGER AS n FROM llm_calls GROUP BY ALL ORDER BY ALL`);
      expect(rows).toEqual([
        { step: 0, outcome: 'ok', n: 20 },
        { step: 1, outcome: 'ok', n: 20 },
        { step: 2, outcome: 'ok', n: 20 },
      ]);
    });
  });

  it('when every endpoint is down and the preflight is skipped then the run stops interrupted instead of completing with every action rejected', async () => {
    const root = tempDir();
    const exp = experiment(localModel([await closedUrl(), await closedUrl()], ', max_outage: 1'));
    const err = await runExperiment(exp, { resultsRoot: root, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointOutageError);
    expect((err as Error).message).toMatch(/^model "local" has had no endpoint answering for 1s \(its max_outage\): .+; the run stopped during step 0 before any step was kept$/);
    const dir = (err as EndpointOutageError).runDir!;
    expect(readRunInfo(dir)).toMatchObject({ status: 'interrupted', steps_completed: 0 });
    const down = eventsOf(dir).filter((e) => e.type === 'endpoint_down');
    expect(down.map((e) => e.step)).toEqual([0, 0]);
  });

  it('when a sweep varies a model whose endpoints are all down then the sweep is refused before its folder or any run exists', async () => {
    const [dead, alive] = [await closedUrl(), await fake(likeTop)];
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    // One run per endpoint list: the dead one refuses the whole sweep, naming only it.
    writeFileSync(
      file,
      `name: dead-sweep
clock: { timesteps: 1, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 2 } }
models:
  local: { provider: openai-compatible, model: fake-model, endpoints: ["${alive.url}"] }
cohorts:
  - { name: llm, count: 2, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
sweep:
  matrix:
    models.local.endpoints: [["${alive.url}"], ["${dead}"]]
`,
    );
    const root = join(dir, 'results');
    const err = await runSweep(file, { resultsRoot: root, quiet: true, preflight: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointsUnreachableError);
    expect((err as Error).message.split(': start the servers')[0]).toBe(`model "local" has no endpoint that answers (${dead}: connection refused (ECONNREFUSED))`);
    expect(existsSync(root)).toBe(false);
    expect(alive.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('when a resumed run finds every endpoint down then it is refused and the folder stays resumable', async () => {
    const server = await fake(likeTop);
    const root = tempDir();
    const { dir } = await runExperiment(experiment(localModel([server.url])), { resultsRoot: root, quiet: true, maxSteps: 1 });
    await server.close();
    const err = await resumeRun(dir, { quiet: true, preflight: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointsUnreachableError);
    expect(readRunInfo(dir)).toMatchObject({ status: 'interrupted', steps_completed: 1 });
  });
});
