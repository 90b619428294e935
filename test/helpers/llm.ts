/** Shared pieces of the LLM cohort tests: loopback fake servers and a small mixed experiment. */
import { afterEach } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { startFakeOpenAI, type FakeHandler, type FakeRequestBody, type FakeServer, type FakeServerOptions } from '../../src/llm/fake-server.js';

const servers: FakeServer[] = [];

/** Closes every fake server a test started; call once at the top of a test file. */
export function closeFakeServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
}

/** A loopback server closed after the test: answering chat with `handler`, or set up by `options`. */
export async function fake(handlerOrOptions?: FakeHandler | FakeServerOptions): Promise<FakeServer> {
  const s = await startFakeOpenAI(typeof handlerOrOptions === 'function' ? { handler: handlerOrOptions } : (handlerOrOptions ?? {}));
  servers.push(s);
  return s;
}

/** The text of the request's last user message. */
export function lastUser(body: FakeRequestBody): string {
  const users = (body.messages ?? []).filter((m): m is { role: string; content: string } => (m as { role?: string }).role === 'user');
  return users.at(-1)?.content ?? '';
}

/** A plausible agent: likes the top post of its feed and follows its author. */
export const likeTop: FakeHandler = (body) => {
  const m = /\[post (\d+)\] @\S+ \(user (\d+)\)/.exec(lastUser(body));
  if (!m) return { toolCalls: [{ name: 'create_post', arguments: { text: 'Quiet feed today #tech' } }] };
  return { toolCalls: [{ name: 'like', arguments: { post_id: Number(m[1]) } }, { name: 'follow', arguments: { user_id: Number(m[2]) } }] };
};

export function experiment(models: string, overrides: string[] = []): ReturnType<typeof parseExperiment> {
  return parseExperiment(
    `name: llm-mix
seed: 3
clock: { timesteps: 3, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 4 } }
models:
  stat: { provider: statistical }
${models}
cohorts:
  - { name: background, count: 40, model: stat, activity: 0.5 }
  - { name: llm, count: 20, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`,
    'llm-mix.yaml',
    { overrides },
  );
}

/** The LLM model under test; `extra` entries (`key: value` YAML) replace the defaults. */
export const localModel = (urls: string[], extra = ''): string => {
  const fields = new Map<string, string>([
    ['provider', 'openai-compatible'],
    ['model', 'fake-model'],
    ['endpoints', `[${urls.map((u) => `"${u}"`).join(', ')}]`],
    ['max_concurrency', '4'],
    ['timeout_s', '10'], // far more than a loaded machine needs; timeout tests set their own
    ['max_retries', '2'],
    ['backoff', '{ base_s: 0.01, max_s: 0.05 }'],
  ]);
  // Split `, a: 1, b: { c: 2 }` at top-level commas only.
  let depth = 0;
  let part = '';
  for (const ch of `${extra},`) {
    if (ch === ',' && depth === 0) {
      const m = /^\s*(\w+):\s*(.+?)\s*$/.exec(part);
      if (m) fields.set(m[1]!, m[2]!);
      part = '';
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') depth--;
    part += ch;
  }
  return `  local: { ${[...fields].map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
};

