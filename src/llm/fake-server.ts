/**
 * A scriptable OpenAI-compatible chat-completions server on 127.0.0.1, for tests and dry runs:
 * `srv.script({ status: 503 }, { toolCalls: [{ name: 'like', arguments: { post_id: 3 } }] })`
 * queues replies; afterwards the handler (default: a `do_nothing` tool call) answers.
 *
 * `POST /v1/embeddings` answers with `fakeEmbedding` vectors (feature hashing of the words, so
 * texts sharing words get similar vectors; dimension `embeddingDim`, default 16) or the
 * test's `embed` function; `srv.scriptEmbeddings({ status: 500 }, { ok: true, vectors: [[1]] })`
 * queues replies the same way (its own queue), then `embeddingHandler` answers.
 *
 * Standalone: `tsx src/llm/fake-server.ts --port 8000 [--latency 200]` (or, built,
 * `node dist/src/llm/fake-server.js …`) prints `listening http://127.0.0.1:PORT/v1` (the real
 * port when given 0) and serves until SIGTERM or SIGINT (Ctrl-C), then exits 0.
 *
 * This file is the public module and the standalone entry; the server is
 * `fake-server/server.ts`, what it answers (bodies, faults, delays) `fake-server/replies.ts`,
 * the types `fake-server/types.ts`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI } from './fake-server/server.js';

export { startFakeOpenAI } from './fake-server/server.js';
export { defaultHandler, fakeEmbedding } from './fake-server/replies.js';
export type {
  FakeEmbedFn,
  FakeEmbeddingHandler,
  FakeEmbeddingReply,
  FakeHandler,
  FakeReply,
  FakeRequestBody,
  FakeServer,
  FakeServerOptions,
  FakeToolCall,
  RecordedEmbeddingRequest,
  RecordedRequest,
} from './fake-server/types.js';

function parseArgs(argv: readonly string[]): { port: number; latencyMs: number } {
  let port = 8000;
  let latencyMs = 0;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const v = Number(argv[k + 1]);
    if ((a === '--port' || a === '--latency') && !Number.isFinite(v)) throw new Error(`${a} needs a number`);
    if (a === '--port') port = v;
    else if (a === '--latency') latencyMs = v;
    else continue;
    k++;
  }
  return { port, latencyMs };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const srv = await Promise.resolve()
    .then(() => startFakeOpenAI({ ...parseArgs(process.argv.slice(2)), record: false }))
    .catch((err: unknown) => {
      process.stderr.write(`fake-server: ${err instanceof Error ? err.message : String(err)}\n`);
      process.stderr.write('usage: tsx src/llm/fake-server.ts [--port 8000] [--latency MS]\n');
      process.exit(2);
    });
  process.stdout.write(`listening ${srv.url}\n`);
  const stop = (): void => {
    void srv.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
