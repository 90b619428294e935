import type { Command } from 'commander';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { wholeNumber } from './numbers.js';

const parseConcurrency = wholeNumber('--concurrency', 1);
const parseLockMs = wholeNumber('--lock-ms', 500);

export interface WorkerCommandOptions {
  readonly redis: string;
  readonly models?: string;
  readonly concurrency: number;
  readonly lockMs: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run LLM agents\' requests for runs started with --redis: takes jobs from Redis, calls this machine\'s view of the model endpoints, returns decisions')
    .requiredOption('--redis <url>', 'the Redis server the runs use, e.g. redis://10.0.0.5:6379')
    .option('--models <names>', 'serve only these models (comma-separated YAML keys); default: every model a run queues for')
    .option('--concurrency <n>', 'jobs (of up to 8 agents each) in progress at once per model', parseConcurrency, 16)
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
      let worker;
      try {
        worker = await RedisAgentWorker.start({
          url: opts.redis,
          ...(models && models.length > 0 ? { models } : {}),
          concurrency: opts.concurrency,
          lockMs: opts.lockMs,
          env: process.env,
          log: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (err) {
        throw new CliError('worker.no_redis', err instanceof Error ? err.message : String(err));
      }
      process.stdout.write(`worker ${worker.name} ready (${models && models.length > 0 ? `models ${models.join(', ')}` : 'every model runs queue for'}); Ctrl-C stops it\n`);
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
