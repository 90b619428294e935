import { createServer, type Server } from 'node:net';
import { compiledFile } from '../../src/common/build.js';
import { checkPort } from '../../src/launch/ports.js';
import { freePort } from '../helpers/ports.js';

export { freePort };

export const ROOT = new URL('../..', import.meta.url).pathname;
const compiledFake = compiledFile('src/llm/fake-server.ts');
/**
 * The vLLM stand-in: `{port}` is filled by the plan. The compiled server when dist/ is fresh
 * (the suite's global setup builds it), which is ready in a fraction of tsx's start-up.
 */
export const FAKE_SERVE = compiledFake !== null ? `node ${compiledFake} --port {port}` : `node --import tsx ${ROOT}src/llm/fake-server.ts --port {port}`;


export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export async function portIsFree(port: number): Promise<boolean> {
  return (await checkPort('127.0.0.1', port)) === 'free';
}

/** Something listening on `port` until closed. */
export function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

/** Whether a process with this pid exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}
