#!/usr/bin/env node
import { ownVersion } from '../common/packages.js';
import { runCommandLine } from './command-line.js';
import { allowHeapRelaunch } from './heap.js';

/** An error thrown outside the command's own await chain (a stream's handler, a stray promise). */
async function fatal(err: unknown): Promise<void> {
  const { reportFailure } = await import('./failure.js');
  process.exit(reportFailure(err, process.argv.slice(2), ownVersion()));
}

// Node would print the stack trace itself: these end in one line and a bug log like the rest.
process.on('uncaughtException', (err) => void fatal(err));
process.on('unhandledRejection', (err) => void fatal(err));
allowHeapRelaunch(process.argv);
await runCommandLine(process.argv);
