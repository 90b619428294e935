/** Issue 15, case 14: where model output enters, every key of the run is removed from it. */
import { describe, expect, it } from 'vitest';
import { recordingClient, replayClient, requestKey } from '../../src/llm/cache.js';
import { redactMessage, redactText, secretsOf } from '../../src/llm/redact.js';
import type { ChatCompletionMessage, ModelClient } from '../../src/llm/types.js';

const KEY = 'sk-proj-abcdEFGH1234';
const OTHER = 'other-model-key-5678';

describe('redactMessage', () => {
  it('when the answer spells a key in content, tool arguments (escaped too) or extra fields then each becomes [redacted]', () => {
    const message = {
      role: 'assistant',
      content: `my key: ${KEY}`,
      refusal: null,
      reasoning_content: `the other one is ${OTHER}`,
      tool_calls: [
        { id: 'a', type: 'function', function: { name: 'create_post', arguments: JSON.stringify({ text: `leak ${KEY}` }) } },
        { id: 'b', type: 'function', function: { name: 'create_post', arguments: `{"text": "esc \\u0073k-proj-abcdEFGH1234!"}` } },
      ],
    } as unknown as ChatCompletionMessage;
    const out = redactMessage(message, secretsOf({ apiKey: KEY, otherKeys: [KEY, OTHER, 'short'] })) as unknown as Record<string, unknown>;
    expect(out.content).toBe('my key: [redacted]');
    expect(out.reasoning_content).toBe('the other one is [redacted]');
    const args = (out.tool_calls as { function: { arguments: string } }[]).map((t) => JSON.parse(t.function.arguments) as { text: string });
    expect(args).toEqual([{ text: 'leak [redacted]' }, { text: 'esc [redacted]!' }]);
  });

  it('when the answer holds no key then it comes back as it was, arguments byte for byte', () => {
    const message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'a', type: 'function', function: { name: 'like', arguments: '{ "post_id" :3 }' } }],
    } as unknown as ChatCompletionMessage;
    expect(redactMessage(message, [KEY])).toEqual(message);
  });

  it('when keys are shorter than 8 characters then they are not treated as secrets (they would blank ordinary words)', () => {
    expect(secretsOf({ apiKey: 'abc', otherKeys: ['1234567'] })).toEqual([]);
    expect(redactText(`a "${KEY}" b`, [KEY])).toBe('a "[redacted]" b');
  });
});

describe('recorded prompts', () => {
  it('when a request carries a key (a persona or post that held one) then the recorded messages hold [redacted], live and replayed alike', async () => {
    const settings = { name: 'local', model: 'fake', endpoints: [], timeoutMs: 1000, maxAttempts: 1, temperature: 0, maxTokens: 10 };
    const req = { messages: [{ role: 'system' as const, content: `You are @bob, bio: ${KEY}` }, { role: 'user' as const, content: `feed: "${OTHER}"` }] };
    const secrets = secretsOf({ apiKey: KEY, otherKeys: [OTHER] });
    const inner: ModelClient = {
      settings,
      chat: async () => ({ ok: false, kind: 'timeout', error: 'timed out', record: { endpoint: 'x', latencyMs: 1, promptTokens: 0, completionTokens: 0, attempts: 1, outcome: 'timeout', error: 'timed out' } }),
    };
    const live = (await recordingClient(inner, secrets).chat(req)).record;
    const replayed = (await replayClient(settings, new Map([[requestKey(settings, req), '{"role":"assistant","content":"hi"}']]), new Map(), secrets).chat(req)).record;
    for (const r of [live, replayed]) {
      // The hash is of what was sent; the record is cleaned.
      expect(r.requestKey).toBe(requestKey(settings, req));
      expect(JSON.parse(r.messages!)).toEqual([
        { role: 'system', content: 'You are @bob, bio: [redacted]' },
        { role: 'user', content: 'feed: "[redacted]"' },
      ]);
    }
    // Without keys to remove, the messages are recorded as sent.
    expect(JSON.parse((await recordingClient(inner).chat(req)).record.messages!)).toEqual(req.messages);
  });
});
