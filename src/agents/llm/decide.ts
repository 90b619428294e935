import type { ChatCompletionMessage, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { CallRecord, ChatResult, ModelClient } from '../../llm/types.js';
import type { Decision, LlmCall, RejectedAction } from '../types.js';
import { estimateTokens, fitToContext } from './fit.js';
import { parseJsonActions, parseToolCalls, type ProposedAction } from './parse.js';
import { promptVars, render, type Templates } from './prompts.js';
import { agentTools, jsonModeInstructions } from './tools.js';
import type { WireRequest } from './wire.js';

export interface LlmAgentConfig {
  readonly modelName: string;
  readonly toolMode: 'tools' | 'json';
  readonly templates: Templates;
  /** Tokens the prompt may use: the context window less max_tokens and the tool schemas. */
  readonly promptTokens: number;
}

interface Reply {
  readonly proposals: ProposedAction[];
  /** Why the reply as a whole is unusable (no action list, no tool call). */
  readonly problem: string | null;
}

function readReply(message: ChatCompletionMessage, mode: LlmAgentConfig['toolMode']): Reply {
  if (mode === 'json') {
    const { proposals, error } = parseJsonActions(message.content);
    return { proposals, problem: error ?? (proposals.length === 0 ? 'the action list is empty' : null) };
  }
  const proposals = parseToolCalls(message);
  return { proposals, problem: proposals.length === 0 ? 'no tool was called' : null };
}

function repairMessages(message: ChatCompletionMessage, reply: Reply, mode: LlmAgentConfig['toolMode']): ChatCompletionMessageParam[] {
  const errors = [reply.problem, ...reply.proposals.filter((p) => p.error).map((p) => `${p.action}: ${p.error}`)].filter(Boolean);
  if (mode === 'json') {
    return [
      { role: 'assistant', content: message.content ?? '' },
      { role: 'user', content: `That reply could not be used: ${errors.join('; ')}. Reply again with only the JSON array of actions.` },
    ];
  }
  return [
    { role: 'assistant', content: message.content ?? null, ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) },
    ...reply.proposals.flatMap((p): ChatCompletionMessageParam[] =>
      p.id ? [{ role: 'tool', tool_call_id: p.id, content: p.error ? `error: ${p.error}` : 'ok: will be applied' }] : [],
    ),
    {
      role: 'user',
      content: reply.problem
        ? `${reply.problem}. Act only by calling the tools (call do_nothing to do nothing).`
        : 'Some tool calls were invalid (see the errors). Call the tools again only for what those calls meant to do; the valid calls will be applied.',
    },
  ];
}

const asCall = (modelName: string, r: CallRecord): LlmCall => ({ model: modelName, ...r });

const rejectedOf = (proposals: readonly ProposedAction[]): RejectedAction[] =>
  proposals.filter((p) => !p.valid).map((p) => ({ action: p.action, args: p.rawArgs || '{}', error: `${p.error} (after one repair turn)` }));

/**
 * One agent's turn: prompt → model → actions. A reply with unusable parts gets one repair
 * turn naming the errors; what is still unusable becomes `rejected` (traced as failed). An
 * endpoint that never answered becomes a rejected `decide` with the failure kind. Never throws
 * for model or endpoint faults.
 */
export async function decideWithLlm(client: ModelClient, cfg: LlmAgentConfig, fullReq: WireRequest): Promise<Decision> {
  const prompt = (r: WireRequest): [string, string] => {
    const vars = promptVars(r);
    return [render(cfg.templates.system, vars) + (cfg.toolMode === 'json' ? jsonModeInstructions() : ''), render(cfg.templates.user, vars)];
  };
  const req = fitToContext(fullReq, cfg.promptTokens, (r) => prompt(r).reduce((n, t) => n + estimateTokens(t), 0));
  const [system, user] = prompt(req);
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
  const tools = cfg.toolMode === 'tools' ? agentTools() : undefined;
  const calls: LlmCall[] = [];
  const ask = async (msgs: ChatCompletionMessageParam[]): Promise<ChatResult> => {
    const result = await client.chat({ messages: msgs, ...(tools ? { tools, toolChoice: 'auto' as const } : {}) });
    calls.push(asCall(cfg.modelName, result.record));
    return result;
  };
  const failed = (r: Extract<ChatResult, { ok: false }>): Decision => ({
    actions: [],
    rejected: [{ action: 'decide', args: '{}', error: `model ${cfg.modelName} gave no answer: ${r.kind} after ${r.record.attempts} attempt(s): ${r.error}` }],
    calls,
  });

  const first = await ask(messages);
  if (!first.ok) return failed(first);
  const reply = readReply(first.message, cfg.toolMode);
  let accepted = reply.proposals.filter((p) => p.valid);
  let rejected: RejectedAction[] = [];
  if (reply.problem || accepted.length < reply.proposals.length) {
    const second = await ask([...messages, ...repairMessages(first.message, reply, cfg.toolMode)]);
    if (!second.ok) {
      rejected = rejectedOf(reply.proposals);
      if (reply.problem) rejected.push({ action: 'decide', args: '{}', error: `${reply.problem}; the repair turn failed: ${second.kind}` });
    } else {
      const again = readReply(second.message, cfg.toolMode);
      accepted = [...accepted, ...again.proposals.filter((p) => p.valid)];
      rejected = rejectedOf(again.proposals);
      if (again.problem && accepted.length === 0) rejected.push({ action: 'decide', args: '{}', error: `${again.problem} (after one repair turn)` });
    }
  }
  const actions = accepted.map((p) => p.valid!);
  return { actions: [{ action: 'refresh', args: {} }, ...actions], rejected, calls };
}
