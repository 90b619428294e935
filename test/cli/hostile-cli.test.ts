/**
 * Issue 15: no stack trace reaches a user for any input. Every bad input of the cases
 * 7–12 goes through the CLI's command line (in this process, as main.ts runs it) and comes back
 * as a clean message and exit 2, and a few of them through the real binary too; an unexpected
 * error says "this is a bug" and leaves its trace in a log file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_BUG, reportFailure } from '../../src/cli/failure.js';
import { DatasetError } from '../../src/data/bad-rows.js';
import { cli, cliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A line of a JavaScript stack trace. */
const TRACE = /^\s+at .+(:\d+:\d+\)?|native\))$/m;

const QUICK = 'experiments/quickstart.yaml';

function badFiles(): Record<string, string> {
  const dir = tempDir();
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 8; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  mkdirSync(join(dir, 'results', 'x', 'abc'), { recursive: true });
  write(join('results', 'x', 'abc', 'run.json'), '{damaged');
  write(join('results', 'x', 'abc', 'sim.duckdb'), 'not a database');
  write('users.csv', Buffer.concat([Buffer.from('id,username\n1,a\n2,b'), Buffer.from([0xe9]), Buffer.from('\n')]));
  return {
    bomb: write('bomb.yaml', `name: bomb\ncohorts: [{ name: a, count: 1, model: stat }]\n${lines.join('\n')}\n`),
    huge: write('huge.yaml', 'name: huge\ncohorts: [{ name: a, count: 1e9, model: stat }]\n'),
    environ: write('environ.yaml', 'name: env\nallow_outside_paths: true\ndataset: { users: { path: /proc/self/environ, format: csv } }\ncohorts: [{ name: a, count: 1, model: stat, personas: dataset }]\n'),
    passwd: write('passwd.yaml', 'name: pw\nmodels:\n  g: { provider: openai-compatible, model: m, endpoints: ["http://127.0.0.1:1/v1"], prompts: { system: ../../../../../../etc/passwd } }\ncohorts: [{ name: a, count: 1, model: g }]\n'),
    latin1: write('latin1.yaml', 'name: latin\ndataset: { users: { path: users.csv } }\ncohorts: [{ name: a, count: 2, model: stat, personas: dataset }]\n'),
    binary: write('binary.yaml', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x3a, 0x3a])),
    damaged: join(dir, 'results', 'x', 'abc'),
    dir,
  };
}

describe('bad input through the CLI', () => {
  it('when each hostile input of the issue is given then the CLI exits 2 with a message and no stack trace', async () => {
    const f = badFiles();
    const cases: [string, string[], RegExp][] = [
      ['alias bomb (validate)', ['validate', f.bomb!], /bomb\.yaml:4:10: YAML aliases expand to too many nodes/],
      ['alias bomb (run)', ['run', f.bomb!, '--out', join(f.dir!, 'out')], /bomb\.yaml:4:10: YAML aliases expand to too many nodes/],
      ['count 1e9', ['run', f.huge!, '--out', join(f.dir!, 'out')], /cohorts\[0\]\.count: 1,000,000,000 agents need about [\d,]+ GiB of memory/],
      ['/proc/self/environ', ['run', f.environ!, '--out', join(f.dir!, 'out')], /is not a regular file \(proc holds system files\)/],
      ['prompt outside', ['validate', f.passwd!], /prompt template \/etc\/passwd is outside the experiment's folder/],
      ['latin-1 CSV', ['run', f.latin1!, '--out', join(f.dir!, 'out'), '-q'], /^error \[dataset\.encoding\]: .*users\.csv:3: not valid UTF-8/m],
      ['binary experiment', ['validate', f.binary!], /binary\.yaml:\d+:\d+: YAML syntax error/],
      ['directory as experiment', ['validate', f.dir!], /cannot read the experiment file: it is a directory, not a regular file/],
      ['__proto__ override', ['validate', QUICK, '--set', '__proto__.x=1'], /--set __proto__\.x=1: "__proto__" is not a key of the experiment/],
      ['--max-steps abc', ['run', QUICK, '--max-steps', 'abc'], /^error \[cli\.bad_number\]: --max-steps must be an integer ≥ 1, got "abc"$/m],
      ['--max-steps -1', ['run', QUICK, '--max-steps', '-1'], /^error \[cli\.bad_number\]: --max-steps must be an integer ≥ 1, got "-1"$/m],
      ['--seed 1.5', ['run', QUICK, '--seed', '1.5'], /^error \[cli\.bad_seed\]: --seed must be an integer, got "1\.5" \(at most 9007199254740991 in absolute value\)$/m],
      ['--seed 2^53', ['run', QUICK, '--seed', '9007199254740993'], /^error \[cli\.bad_seed\]/m],
      ['resume --max-steps', ['resume', f.dir!, '--max-steps', '2x'], /^error \[cli\.bad_number\]: --max-steps must be an integer ≥ 1, got "2x"$/m],
      ['report --top', ['report', f.dir!, '--top', 'many'], /^error \[cli\.bad_number\]: --top must be an integer ≥ 1, got "many"$/m],
      ['branch --at-step', ['branch', f.dir!, '--at-step', '3.5'], /^error \[cli\.bad_number\]: --at-step must be an integer ≥ 1, got "3\.5"$/m],
      ['sweep --parallel', ['sweep', QUICK, '--parallel', '0'], /^error \[cli\.bad_parallel\]: --parallel must be an integer ≥ 1, got "0"$/m],
      ['damaged run.json (resume)', ['resume', f.damaged!], /^error \[run\.damaged\]: .*run\.json is damaged \(/m],
      ['damaged sim.duckdb (inspect)', ['inspect', f.damaged!], /^error \[run\.damaged\]: .*sim\.duckdb is damaged \(not a DuckDB database\)/m],
      ['launch --max-steps', ['launch', QUICK, '--gpus', '0', '--max-steps', 'NaN'], /^error \[cli\.bad_number\]/m],
    ];
    // Every case in process; these also through the binary (a config error, a dataset error,
    // an option refused, DuckDB refusing a file), as a shell sees them.
    const binary = new Set(['alias bomb (run)', 'latin-1 CSV', '--max-steps abc', 'damaged sim.duckdb (inspect)']);
    for (const [what, args, message] of cases) {
      for (const r of binary.has(what) ? [await cliInProcess(args), cli(args)] : [await cliInProcess(args)]) {
        expect(r.stderr, what).toMatch(message);
        expect(r.stderr, what).not.toMatch(TRACE);
        expect(r.code, what).toBe(2);
      }
    }
    expect(existsSync(join(f.dir!, 'out'))).toBe(false);
  });

  it('when a run is estimated to take days then run refuses it without --yes, with the estimate, and makes no folder', async () => {
    const out = tempDir();
    // 50,002 agents (50,000 + 2 seed accounts) × 100,000 steps: 10^5 × (0.3 + 50002 / 12000) s ≈ 5 days.
    const r = await cliInProcess(['run', QUICK, '--out', out, '--set', 'cohorts[0].count=50000', '--set', 'clock.timesteps=100000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [run.needs_yes]: 50,002 agents × 100,000 steps need about 5 days of computing (statistical agents alone); pass --yes to run it anyway');
    expect(existsSync(join(out, 'quickstart'))).toBe(false);
    // A sweep checks each of its runs: 302 agents (300 + 2 seed accounts) × 900,000 steps ≈ 3 days.
    const sweep = await cliInProcess(['sweep', 'experiments/sweep-recsys.yaml', '--out', out, '--set', 'clock.timesteps=900000']);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toBe('error [run.needs_yes]: sweep run recsys.kind=random seed=1: 302 agents × 900,000 steps need about 3 days of computing (statistical agents alone); pass --yes to run the sweep anyway\n');
    expect(existsSync(join(out, 'sweep-recsys'))).toBe(false);
  });
});

describe('reportFailure', () => {
  const saved = process.env.XDG_STATE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = saved;
    delete process.env.SOCIALSIM_TEST_API_KEY;
  });

  it('when an unexpected error arrives then it says "this is a bug", names a log file holding the trace, and shows no trace', () => {
    process.env.XDG_STATE_HOME = tempDir();
    process.env.SOCIALSIM_TEST_API_KEY = 'key-that-must-not-leak-1234';
    const lines: string[] = [];
    const err = new TypeError('cannot read properties of undefined (key-that-must-not-leak-1234)');
    const code = reportFailure(err, ['run', 'x.yaml'], '9.9.9', (s) => lines.push(s));
    expect(code).toBe(EXIT_BUG);
    const text = lines.join('');
    expect(text).toMatch(/^error \[internal\]: this is a bug in socialsim: cannot read properties of undefined \(\[redacted\]\)\nthe stack trace is in (.+\.log); please attach it to a bug report\n$/);
    expect(text).not.toMatch(TRACE);
    const log = /the stack trace is in (.+\.log)/.exec(text)![1]!;
    expect(log.startsWith(join(process.env.XDG_STATE_HOME, 'socialsim', 'bugs'))).toBe(true);
    const logged = readFileSync(log, 'utf8');
    expect(logged).toContain('socialsim 9.9.9 on Node');
    expect(logged).toContain('command: socialsim run x.yaml');
    expect(logged).toMatch(TRACE);
    expect(logged).not.toContain('key-that-must-not-leak-1234');
  });

  it('when a module\'s user-facing error or a system error arrives then it is one line with its code', () => {
    const lines: string[] = [];
    expect(reportFailure(new DatasetError('dataset.columns', 'u.csv:1: no column "id"'), [], '1', (s) => lines.push(s))).toBe(2);
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES', syscall: 'open' });
    expect(reportFailure(eacces, [], '1', (s) => lines.push(s))).toBe(1);
    expect(lines).toEqual(['error [dataset.columns]: u.csv:1: no column "id"\n', "error [system.eacces]: EACCES: permission denied, open '/x'\n"]);
  });
});
