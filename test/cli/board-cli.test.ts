/**
 * `socialsim board` through the real binary: it prints where it listens, serves the results
 * folder, refuses a missing folder or a bad port with one line, and stops cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'socialsim-board-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('socialsim board', () => {
  it('prints its loopback address, serves the folder, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'board', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) ok(m[1]!);
      });
      child.on('close', (code) => fail(new Error(`board exited ${code}: ${out}`)));
    });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('No runs in this results folder yet');
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('warns when told to listen on another address than 127.0.0.1, ::1 or localhost', async () => {
    // 127.0.0.2 is still this machine's loopback (127/8), so nothing leaves it, but it is not the
    // default address: the board says that anyone who can reach it can read the runs.
    const child = spawn(process.execPath, [BIN, 'board', dir, '--port', '0', '--host', '127.0.0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    // Both lines, in whichever order the two pipes deliver them.
    await new Promise<void>((ok, fail) => {
      const check = (): void => (out.includes('http://127.0.0.2:') && err.includes('\n') ? ok() : undefined);
      child.stderr.on('data', (c: Buffer) => ((err += c.toString()), check()));
      child.stdout.on('data', (c: Buffer) => ((out += c.toString()), check()));
      child.on('close', (code) => fail(new Error(`board exited ${code}: ${err}`)));
    });
    expect(err).toMatch(/^warning: listening on 127\.0\.0\.2: anyone who can reach it can read every run under /);
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a folder that does not exist and a port out of range with one line and exit 2', () => {
    for (const args of [['board', join(dir, 'nope')], ['board', dir, '--port', '70000'], ['board', dir, '--port', 'x']]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0], args.join(' ')).toMatch(/no such folder|--port/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
