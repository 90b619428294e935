import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { wholeNumber } from './numbers.js';
import { shown } from './run-dir.js';

const parsePort = wholeNumber('--port', 0);

export function registerBoard(program: Command): void {
  program
    .command('board')
    .description('a local web app over a results folder: runs, live per-step figures, a step-by-step replay, comparisons, browse sessions')
    .argument('[results-dir]', 'the results folder to serve', 'results')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 8080)
    .option('--host <address>', 'address to bind; anything but loopback exposes your runs to the network', '127.0.0.1')
    .action(async (dir: string, opts: { port: number; host: string }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new CliError('board.not_found', `no such folder: ${dir} (runs go to results/ unless run with --out)`, EXIT_INVALID_INPUT);
      }
      if (opts.port > 65535) throw new CliError('board.port', `--port must be at most 65535 (got ${opts.port})`, EXIT_INVALID_INPUT);
      const { startBoard } = await import('../board/server.js');
      let board;
      try {
        board = await startBoard({ resultsDir: dir, port: opts.port, host: opts.host });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError('board.port_in_use', `port ${opts.port} is in use on ${opts.host}: pick another with --port`, EXIT_INVALID_INPUT);
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError('board.host', `cannot listen on ${opts.host}: not an address of this machine`, EXIT_INVALID_INPUT);
        throw err;
      }
      // The handlers first: a signal sent as soon as the address is printed must find them.
      const stopped = new Promise<void>((done) => {
        const stop = (): void => {
          void board.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      if (!['127.0.0.1', '::1', 'localhost'].includes(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it can read every run under ${shown(dir)}\n`);
      process.stdout.write(`board of ${shown(dir)} at ${board.url}/ (Ctrl-C stops it)\n`);
      await stopped;
    });
}
