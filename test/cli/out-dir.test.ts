import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutDir } from '../../src/cli/out-dir.js';
import { TINY_YAML } from '../helpers/crash.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;

describe('--out checks', () => {
  it('when --out is under /proc or /sys, a file, below a file or on a disk without space then one error says which', () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(() => checkOutDir('/proc/x')).toThrow('--out /proc/x: /proc is a kernel file system, not a place for results; choose a folder on disk');
    expect(() => checkOutDir('/sys/kernel/x/y')).toThrow('/sys/kernel is a kernel file system');
    expect(() => checkOutDir(file)).toThrow(`--out ${file}: ${file} is a file, not a folder`);
    expect(() => checkOutDir(join(file, 'sub', 'deeper'))).toThrow(`${file} is a file, not a folder`);
    expect(() => checkOutDir(dir, Number.MAX_SAFE_INTEGER)).toThrow(/free on the disk holding .* needed\); free space or choose another folder/);
    expect(() => checkOutDir(join(dir, 'new', 'root'))).not.toThrow();
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });

  it('when socialsim run gets --out /proc/x then it exits 2 at once with one line', () => {
    const dir = tempDir();
    const yaml = join(dir, 'tiny.yaml');
    writeFileSync(yaml, TINY_YAML);
    // A spinning process would hit the timeout and have no exit status.
    const r = spawnSync(process.execPath, [BIN, 'run', yaml, '--out', '/proc/x', '-q'], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error [cli.bad_out]: --out /proc/x: /proc is a kernel file system, not a place for results; choose a folder on disk\n');
  });
});
