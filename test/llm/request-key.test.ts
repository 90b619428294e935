/**
 * A request's key (the hash a recorded run is replayed by) must stay what it always was: a run
 * recorded by an earlier version replays only if its keys are recomputed byte for byte. Tool
 * lists are canonicalised once per list; a list seen before must give the same key.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestKey } from '../../src/llm/cache.js';
import type { ChatRequest } from '../../src/llm/types.js';

const settings = { model: 'm-1', temperature: 0.5, maxTokens: 64, extraBody: { top_k: 3 } };

describe('the request key', () => {
  it('is the sha256 of the canonical request: keys sorted at every level, undefined left out, tools and messages as sent', () => {
    const tools = [{ type: 'function' as const, function: { name: 'like', parameters: { type: 'object', required: ['post_id'], properties: { post_id: { type: 'integer' } } }, description: 'Like a post' } }];
    const req: ChatRequest = { messages: [{ role: 'user', content: 'hi', name: undefined }], tools, toolChoice: 'auto' };
    // Written out by hand from the definition, not from the code.
    const text =
      '{"extra":{"top_k":3},"max_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m-1","temperature":0.5,' +
      '"tool_choice":"auto","tools":[{"function":{"description":"Like a post","name":"like","parameters":{"properties":{"post_id":{"type":"integer"}},"required":["post_id"],"type":"object"}},"type":"function"}]}';
    const expected = createHash('sha256').update(text).digest('hex');
    expect(requestKey(settings, req)).toBe(expected);
    // The same list again (its canonical form now remembered), and an equal list built anew.
    expect(requestKey(settings, req)).toBe(expected);
    expect(requestKey(settings, { ...req, tools: structuredClone(tools) })).toBe(expected);
    // Another message, same list: another key; no tools at all: null in their place.
    expect(requestKey(settings, { ...req, messages: [{ role: 'user', content: 'ho' }] })).not.toBe(expected);
    const bare = '{"extra":{"top_k":3},"max_tokens":64,"messages":[{"content":"hi","role":"user"}],"model":"m-1","temperature":0.5,"tool_choice":null,"tools":null}';
    expect(requestKey(settings, { messages: req.messages })).toBe(createHash('sha256').update(bare).digest('hex'));
  });
});
