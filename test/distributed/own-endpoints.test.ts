/**
 * Workers with endpoints of their own (`socialsim worker --endpoint local=<url>`): two workers,
 * each with its own loopback fake server, against a run whose experiment names a third. Each
 * server must see only its worker's requests, the run's own none, and the run's tables must
 * equal the single-process run's (the fake's answers depend only on the request).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { parseOwnEndpoints } from '../../src/cli/worker.js';
import { MODELS_KEY } from '../../src/distributed/protocol.js';
import { CliError } from '../../src/cli/errors.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeReply, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { checksums, exited, expectWorkerAccounts, ready, spawnWorker, stopWorkers, workerId, type WorkerProcess } from '../helpers/workers.js';

const KEY_VAR = 'SOCIALSIM_TEST_OWN_KEY';
const KEY_A = 'canary-own-alpha-2c81f0';
const KEY_B = 'canary-own-bravo-7d40e3';
const KEY_MAIN = 'canary-own-main-91aa5e';

const workers: WorkerProcess[] = [];
const dirs: string[] = [];
let redis: RedisServer | undefined;
/** The run's own endpoint (the experiment names it), and each worker's. */
const servers: Record<'run' | 'a' | 'b', FakeServer | undefined> = { run: undefined, a: undefined, b: undefined };
/** Chat requests each server got, by the key that sent them. */
const seen: Record<'run' | 'a' | 'b', Map<string, number>> = { run: new Map(), a: new Map(), b: new Map() };

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'socialsim-own-'));
  dirs.push(d);
  return d;
}

async function server(name: 'run' | 'a' | 'b'): Promise<FakeServer> {
  return startFakeOpenAI({
    handler: (body, req) => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      seen[name].set(key, (seen[name].get(key) ?? 0) + 1);
      // A little latency, so both workers have jobs in flight at once.
      return { delayMs: 20, then: likeTop(body, req) as FakeReply };
    },
  });
}

const exp = (): ReturnType<typeof experiment> => experiment(localModel([servers.run!.url], `api_key_env: ${KEY_VAR}`));
const total = (m: Map<string, number>): number => [...m.values()].reduce((s, n) => s + n, 0);

let single: Record<string, unknown>;

beforeAll(async () => {
  redis = await startRedis();
  [servers.run, servers.a, servers.b] = await Promise.all([server('run'), server('a'), server('b')]);
  process.env[KEY_VAR] = KEY_MAIN;
  const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true });
  expect(info.status).toBe('completed');
  single = await checksums(runDir);
  expect((single.llm_responses as { rows: number }).rows).toBe(60);
  // As if a run had queued for the model before: b (no --models) serves it from its start. Left
  // to find it within a second of this run's start, it could miss a run that fast entirely.
  const client = new Redis(redis.url);
  await client.sadd(MODELS_KEY, 'local');
  client.disconnect();
  // One worker names its model with --models, the other serves every model a run queues for.
  const a = spawnWorker(redis.url, { [KEY_VAR]: KEY_A }, ['--concurrency', '1', '--models', 'local', '--endpoint', `local=${servers.a!.url}/`]);
  const b = spawnWorker(redis.url, { [KEY_VAR]: KEY_B }, ['--concurrency', '1', '--endpoint', `local=${servers.b!.url}`]);
  workers.push(a, b);
  await Promise.all([ready(a), ready(b)]);
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await Promise.all(Object.values(servers).map((s) => s?.close()));
  await redis?.close();
  delete process.env[KEY_VAR];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('socialsim worker --endpoint', () => {
  it('when each worker has its own endpoint then each server sees only its worker, the run\'s endpoint none, and the tables equal the single-process run', async () => {
    for (const m of Object.values(seen)) m.clear();
    const [a, b] = workers;
    expect(a!.output()).toContain(`own endpoints: local → ${servers.a!.url}`);

    const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true, redis: redis!.url });

    expect(info.status).toBe('completed');
    expect(await checksums(runDir)).toEqual(single);
    expect(total(seen.run)).toBe(0);
    expect([...seen.a.keys()]).toEqual([KEY_A]);
    expect([...seen.b.keys()]).toEqual([KEY_B]);
    // The per-worker record is exact: what each server got is what run.json says its worker sent.
    await expectWorkerAccounts(runDir, info.workers, [a!, b!]);
    expect(info.workers![workerId(a!)]!.requests).toBe(total(seen.a));
    expect(info.workers![workerId(b!)]!.requests).toBe(total(seen.b));
    // llm_calls names the endpoint each request went to: the workers' own.
    const endpoints = await withSimDb(join(runDir, 'sim.duckdb'), (d) => d.query<{ endpoint: string; n: number }>('SELECT endpoint, count(*)::INTEGER AS n FROM llm_calls GROUP BY endpoint ORDER BY endpoint'));
    expect(endpoints.map((e) => e.endpoint).sort()).toEqual([servers.a!.url, servers.b!.url].sort());
  });

  it('when an --endpoint value is malformed, names a model twice or one outside --models then it is refused, saying how to fix it', () => {
    const refused = (values: string[], models?: string[]): string => {
      try {
        parseOwnEndpoints(values, models);
      } catch (err) {
        expect(err).toBeInstanceOf(CliError);
        expect((err as CliError).exitCode).toBe(2);
        return (err as CliError).message;
      }
      throw new Error(`accepted ${values.join(' ')}`);
    };
    expect(refused(['http://127.0.0.1:8000/v1'])).toMatch(/expected <model>=<url>/);
    expect(refused(['local='])).toMatch(/gives no URL/);
    expect(refused(['local=not a url'])).toMatch(/"not a url" is not a URL/);
    expect(refused(['local=ftp://127.0.0.1/v1'])).toMatch(/ftp: URL; expected http/);
    expect(refused(['local=http://user:secret@127.0.0.1/v1'])).toMatch(/holds a user or password/);
    expect(refused(['local=http://127.0.0.1:1/v1', 'local=http://127.0.0.1:2/v1'])).toMatch(/names model "local" twice/);
    expect(refused(['other=http://127.0.0.1:1/v1'], ['local'])).toMatch(/which this worker does not serve \(--models local\)/);
    expect(parseOwnEndpoints(['local=http://127.0.0.1:1/v1/, http://127.0.0.1:2/v1'], ['local'])).toEqual({ local: ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1'] });
  });

  it('when a worker without --models names a model no run has queued for then it exits 2 listing the known ones', async () => {
    // The first test's run queued for "local"; "lcoal" is a typo.
    const w = spawnWorker(redis!.url, { [KEY_VAR]: KEY_A }, ['--endpoint', `lcoal=${servers.a!.url}`]);
    workers.push(w);
    expect(await exited(w)).toBe(2);
    expect(w.output()).toMatch(/--endpoint names "lcoal", which no run has queued for \(known models: local\)/);
    const bad = spawnWorker(redis!.url, { [KEY_VAR]: KEY_A }, ['--models', 'local', '--endpoint', 'local=127.0.0.1:8000']);
    workers.push(bad);
    expect(await exited(bad)).toBe(2);
    expect(bad.output()).toMatch(/--endpoint local: .*expected http/);
  });
});
