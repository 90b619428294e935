/**
 * Several fake OpenAI-compatible servers (src/llm/fake-server.ts) in one process, each on its own
 * loopback port, for bench/distributed.ts: on a 2-core machine, a dozen server processes would
 * take their share of every time slice from the workers being measured, while one event loop
 * serves the fake answers (a few hundred a second, each after a timer) with little CPU.
 *   node --import tsx bench/fake-server-group.ts <servers> <latency ms>
 * prints one `listening <url>` line per server, then serves until SIGTERM or SIGINT.
 */
import { startFakeOpenAI } from '../src/llm/fake-server.js';

const count = Number(process.argv[2] ?? 1);
const latencyMs = Number(process.argv[3] ?? 0);
if (!Number.isInteger(count) || count < 1 || !Number.isFinite(latencyMs)) throw new Error('usage: fake-server-group.ts <servers ≥ 1> <latency ms>');
const servers = await Promise.all(Array.from({ length: count }, () => startFakeOpenAI({ port: 0, latencyMs, record: false })));
for (const s of servers) process.stdout.write(`listening ${s.url}\n`);
const stop = (): void => {
  void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
