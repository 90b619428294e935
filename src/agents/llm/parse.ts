import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { validateAction } from '../../channel/actions/registry.js';
import type { AgentAction } from '../../channel/actions/types.js';

/** One action a model proposed, vetted against the action registry's schemas. */
export interface ProposedAction {
  /** The tool call id, in tools mode (the repair turn answers each by id). */
  readonly id: string | null;
  readonly action: string;
  readonly rawArgs: string;
  /** Set when the proposal is well-formed and schema-valid. */
  readonly valid: AgentAction | null;
  readonly error: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function vet(id: string | null, action: string, rawArgs: string, args: unknown): ProposedAction {
  if (!isRecord(args)) return { id, action, rawArgs, valid: null, error: 'arguments must be a JSON object' };
  const candidate: AgentAction = { action, args };
  const error = validateAction(candidate);
  return { id, action, rawArgs, valid: error ? null : candidate, error };
}

/** Tool calls of an assistant message (tools mode). */
export function parseToolCalls(message: ChatCompletionMessage): ProposedAction[] {
  return (message.tool_calls ?? []).map((call) => {
    if (call.type !== 'function') return { id: call.id, action: call.type, rawArgs: '', valid: null, error: 'only function tool calls are understood' };
    const raw = call.function.arguments ?? '';
    let args: unknown;
    try {
      args = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (e) {
      return { id: call.id, action: call.function.name, rawArgs: raw, valid: null, error: `arguments are not valid JSON (${(e as Error).message})` };
    }
    return vet(call.id, call.function.name, raw, args);
  });
}

/** The JSON action list of a plain-text reply (json mode); code fences and prose around it are tolerated. */
export function parseJsonActions(content: string | null): { proposals: ProposedAction[]; error: string | null } {
  const text = (content ?? '').replace(/```(?:json)?/gi, '');
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf(']'), text.lastIndexOf('}'));
  if (start < 0 || end < start) return { proposals: [], error: 'the reply holds no JSON action list' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    return { proposals: [], error: `the action list is not valid JSON (${(e as Error).message})` };
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const proposals = items.map((item): ProposedAction => {
    if (!isRecord(item) || typeof item.action !== 'string') {
      return { id: null, action: 'unknown', rawArgs: JSON.stringify(item) ?? '', valid: null, error: 'each item needs an "action" name and an "args" object' };
    }
    const args = item.args ?? {};
    return vet(null, item.action, JSON.stringify(args) ?? '', args);
  });
  return { proposals, error: null };
}
