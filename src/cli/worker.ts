import type { Command } from 'commander';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { wholeNumber } from './numbers.js';

const parseConcurrency = wholeNumber('--concurrency', 1);
const parseLockMs = wholeNumber('--lock-ms', 500);

export interface WorkerCommandOptions {
  readonly redis: string;
  readonly models?: string;
  readonly endpoint: readonly string[];
  readonly concurrency: number;
  readonly lockMs: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run LLM agents\' requests for runs started with --redis: takes jobs from Redis, calls this machine\'s view of the model endpoints, returns decisions')
    .requiredOption('--redis <url>', 'the Redis server the runs use, e.g. redis://10.0.0.5:6379')
    .option('--models <names>', 'serve only these models (comma-separated YAML keys); default: every model a run queues for')
    .option('--concurrency <n>', 'jobs (of 8 to 32 agents each) in progress at once per model', parseConcurrency, 16)
    .option('--endpoint <model=urls>', "send this model's requests to these endpoints of this machine (comma-separated base URLs) instead of the run's; repeat for each model", (v: string, all: string[]) => [...all, v], [])
    .option('--lock-ms <ms>', 'a job held by a worker that stops answering (killed) goes to another after this long', parseLockMs, 30_000)
    .action(async (opts: WorkerCommandOptions) => {
      const { RedisAgentWorker } = await import('../distributed/worker.js');
      const { connectionOf, RedisUrlError } = await import('../distributed/connection.js');
      try {
        connectionOf(opts.redis);
      } catch (err) {
        if (err instanceof RedisUrlError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        throw err;
      }
      const models = opts.models?.split(',').map((m) => m.trim()).filter((m) => m !== '');
      const endpoints = parseOwnEndpoints(opts.endpoint, models && models.length > 0 ? models : undefined);
      if (!models || models.length === 0) await checkKnownModels(opts.redis, Object.keys(endpoints));
      let worker;
      try {
        worker = await RedisAgentWorker.start({
          url: opts.redis,
          ...(models && models.length > 0 ? { models } : {}),
          concurrency: opts.concurrency,
          lockMs: opts.lockMs,
          endpoints,
          env: process.env,
          log: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (err) {
        throw new CliError('worker.no_redis', err instanceof Error ? err.message : String(err));
      }
      const own = Object.entries(endpoints).map(([m, urls]) => `${m} → ${urls.join(', ')}`);
      process.stdout.write(
        `worker ${worker.name} ready (${models && models.length > 0 ? `models ${models.join(', ')}` : 'every model runs queue for'}${own.length > 0 ? `; own endpoints: ${own.join('; ')}` : ''}); Ctrl-C stops it\n`,
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = (): void => {
          // A second signal does not wait for jobs in progress (their runs get them done elsewhere).
          void worker.close(stopping).then(done);
          stopping = true;
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write(`worker ${worker.name} stopped after ${worker.jobsDone} jobs\n`);
    });
}

/**
 * `--endpoint model=url[,url…]` values → base URLs by model, each URL as the run's are kept
 * (no trailing slash). Refused (exit 2): no `=`, a model given twice, a model outside `--models`
 * (the worker would never send it), a URL that is not http(s) or that holds a user or password
 * (the key belongs in the model's api_key_env variable, never in a URL that is printed).
 */
export function parseOwnEndpoints(values: readonly string[], models?: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const bad = (message: string): CliError => new CliError('cli.bad_endpoint', message, EXIT_INVALID_INPUT);
  for (const v of values) {
    const eq = v.indexOf('=');
    const model = eq > 0 ? v.slice(0, eq).trim() : '';
    if (model === '') throw bad(`--endpoint ${JSON.stringify(v)}: expected <model>=<url>[,<url>...], e.g. --endpoint llama8b=http://127.0.0.1:8000/v1`);
    if (Object.hasOwn(out, model)) throw bad(`--endpoint names model "${model}" twice: give all its URLs in one --endpoint, comma-separated`);
    if (models && !models.includes(model)) throw bad(`--endpoint names model "${model}", which this worker does not serve (--models ${models.join(',')}): add it to --models or drop the --endpoint`);
    const urls = v.slice(eq + 1).split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length === 0) throw bad(`--endpoint ${model}= gives no URL: expected ${model}=http://host:port/v1[,...]`);
    out[model] = urls.map((u) => checkedUrl(model, u, bad));
  }
  return out;
}

function checkedUrl(model: string, url: string, bad: (message: string) => CliError): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(`--endpoint ${model}: ${JSON.stringify(url)} is not a URL; expected http://host:port/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`--endpoint ${model}: ${u.protocol} URL; expected http:// or https:// (e.g. http://127.0.0.1:8000/v1)`);
  if (u.username !== '' || u.password !== '') throw bad(`--endpoint ${model}: the URL holds a user or password; put the API key in the model's api_key_env variable instead`);
  return url.replace(/\/+$/, '');
}

/**
 * Without --models a worker serves whatever runs queue for, so an --endpoint name can only be
 * checked against the models runs have queued so far: a name none of them has (a typo) is
 * refused when some are known; with none known yet (the worker started first) it is taken as given.
 */
async function checkKnownModels(redis: string, named: readonly string[]): Promise<void> {
  if (named.length === 0) return;
  const { knownModels } = await import('../distributed/worker.js');
  const known = await knownModels(redis);
  if (known === null || known.length === 0) return;
  const unknown = named.filter((m) => !known.includes(m));
  if (unknown.length > 0) {
    throw new CliError(
      'cli.bad_endpoint',
      `--endpoint names ${unknown.map((m) => `"${m}"`).join(', ')}, which no run has queued for (known models: ${known.join(', ')}); check the name, or give --models`,
      EXIT_INVALID_INPUT,
    );
  }
}
