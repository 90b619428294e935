/**
 * A throwaway Debian `redis-server` on 127.0.0.1 for the distributed tests: a free port, no
 * persistence, its files in a temp folder; `stop()` ends it (and is safe to call twice).
 * `.ci/run` installs redis-server when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), empty. */
  restart(): Promise<void>;
  /** Stops it and removes its folder: for afterAll. */
  close(): Promise<void>;
}


function launch(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s:\n${out}`));
    }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (${err.message}); install it: apt-get install -y redis-server`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
}

/** Stops a child process: SIGTERM, then SIGKILL after 5 s; at once when it has already exited. */
export function end(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await end(child);
      child = null;
    },
    async restart() {
      await end(child);
      child = await launch(port, dir);
    },
    async close() {
      await end(child);
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** Every command Redis runs, as redis-cli's MONITOR prints them, from when `started` resolves. */
export interface RedisTraffic {
  readonly started: Promise<void>;
  /** The lines so far (one command each). */
  text(): string;
  stop(): Promise<void>;
}

/**
 * MONITOR through `redis-cli` rather than ioredis: ioredis's monitor mode can take the first
 * monitored line for a reply to a command of its own and throw "Command queue state error"
 * (a race seen in this suite, redis/ioredis#1981).
 */
export function watchRedis(port: number): RedisTraffic {
  const child = spawn('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^OK$/m.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-cli monitor exited with ${code} before it started`)));
    child.once('error', reject);
  });
  return { started, text: () => out, stop: () => end(child) };
}
