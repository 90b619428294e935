#!/usr/bin/env node
/**
 * Writes test/durations.json, each test file's duration in seconds, which test/sequencer.ts
 * reads to start the slowest files first. Runs the suite once with Vitest's JSON reporter, or
 * reads a report given as the first argument (`vitest run --reporter=json --outputFile=F`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let report = process.argv[2];
let temp;
if (!report) {
  temp = mkdtempSync(join(tmpdir(), 'socialsim-durations-'));
  report = join(temp, 'report.json');
  const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', `--outputFile=${report}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) {
    process.stderr.write('the suite failed; test/durations.json is left as it was\n');
    process.exit(1);
  }
}
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const durations = Object.fromEntries(
  testResults
    .map((t) => [relative(root, t.name), Math.round((t.endTime - t.startTime) / 100) / 10])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
);
writeFileSync(join(root, 'test/durations.json'), JSON.stringify(durations, null, 1) + '\n');
if (temp) rmSync(temp, { recursive: true, force: true });
process.stdout.write(`test/durations.json: ${Object.keys(durations).length} files\n`);
