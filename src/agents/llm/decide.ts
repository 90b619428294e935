import type { ChatCompletionMessage, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { CallRecord, ChatResult, ModelClient } from '../../llm/types.js';
import type { Decision, LlmCall, RejectedAction } from '../types.js';
import { estimateTokens, fitToContext } from './fit.js';
import { parseJsonActions, parseToolCalls, type ProposedAction } from './parse.js';
import { pagePrompt, promptVars, render, type Templates } from './prompts.js';
import { agentTools, jsonModeInstructions } from './tools.js';
import type { WireRequest } from './wire.js';

export interface LlmAgentConfig {
  readonly modelName: string;
  readonly toolMode: 'tools' | 'json';
  readonly templates: Templates;
  /** Tokens the prompt may use: the context window less max_tokens and the tool schemas. */
  readonly promptTokens: number;
  /** The model's `actions`: those offered to its agents; absent = all. */
  readonly actions?: readonly string[];
}

interface Reply {
  readonly proposals: ProposedAction[];
  /** Why the reply as a whole is unusable (no action list, no tool call). */
  readonly problem: string | null;
}

function readReply(message: ChatCompletionMessage, mode: LlmAgentConfig['toolMode'], offered: ReadonlySet<string>): Reply {
  // An action the model was not offered is refused like an invalid one (the repair turn says so).
  const vetted = (proposals: ProposedAction[]): ProposedAction[] =>
    proposals.map((p) => (p.valid && !offered.has(p.action) ? { ...p, valid: null, error: `action ${p.action} is not offered here; offered: ${[...offered].join(', ')}` } : p));
  if (mode === 'json') {
    const { proposals, error } = parseJsonActions(message.content);
    return { proposals: vetted(proposals), problem: error ?? (proposals.length === 0 ? 'the action list is empty' : null) };
  }
  const proposals = vetted(parseToolCalls(message));
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

interface TurnResult {
  /** The conversation up to (not including) `last`. */
  readonly history: ChatCompletionMessageParam[];
  /** The assistant message whose proposals were accepted last. */
  readonly last: ChatCompletionMessage;
  readonly accepted: ProposedAction[];
  readonly rejected: RejectedAction[];
}

/** At most one next_page per turn, and none when there is no next page to show. */
function onePagePerTurn(proposals: readonly ProposedAction[], more: boolean): ProposedAction[] {
  let seen = false;
  return proposals.filter((p) => {
    if (p.action !== 'next_page') return true;
    if (seen || !more) return false;
    return (seen = true);
  });
}

/** The assistant's turn and the answer to it: the next page for next_page, "ok" for the rest. */
function pageMessages(last: ChatCompletionMessage, req: WireRequest, page: number, mode: LlmAgentConfig['toolMode']): ChatCompletionMessageParam[] {
  if (mode === 'json') return [{ role: 'assistant', content: last.content ?? '' }, { role: 'user', content: pagePrompt(req, page) }];
  let answered = false;
  return [
    { role: 'assistant', content: last.content ?? null, ...(last.tool_calls?.length ? { tool_calls: last.tool_calls } : {}) },
    ...(last.tool_calls ?? []).map((call): ChatCompletionMessageParam => {
      const isPage = call.type === 'function' && call.function.name === 'next_page' && !answered;
      if (isPage) answered = true;
      return { role: 'tool', tool_call_id: call.id, content: isPage ? pagePrompt(req, page) : 'ok: will be applied' };
    }),
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
  const allowed = cfg.actions ? new Set(cfg.actions) : undefined;
  const offered = new Set(agentTools(fullReq.browse !== undefined, allowed).map((t) => t.function.name));
  const prompt = (r: WireRequest): [string, string] => {
    const vars = promptVars(r);
    return [render(cfg.templates.system, vars) + (cfg.toolMode === 'json' ? jsonModeInstructions(r.browse !== undefined, allowed) : ''), render(cfg.templates.user, vars)];
  };
  const req = fitToContext(fullReq, cfg.promptTokens, (r) => prompt(r).reduce((n, t) => n + estimateTokens(t), 0));
  const [system, user] = prompt(req);
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
  const tools = cfg.toolMode === 'tools' ? agentTools(fullReq.browse !== undefined, allowed) : undefined;
  const calls: LlmCall[] = [];
  const ask = async (msgs: ChatCompletionMessageParam[]): Promise<ChatResult> => {
    const result = await client.chat({ messages: msgs, ...(tools ? { tools, toolChoice: 'auto' as const } : {}) });
    calls.push(asCall(cfg.modelName, result.record));
    return result;
  };
  // The feed posts the prompts showed: fitting the context may have cut the feed short.
  const shownUpTo = (pages: number): number => (req.browse ? Math.min(req.feed.length, pages * req.browse.pageSize) : req.feed.length);
  const failed = (r: Extract<ChatResult, { ok: false }>): Decision =>
    r.kind === 'budget_exhausted'
      ? // Nothing was sent, so the agent saw nothing; the engine may decide for it instead (budget fallback).
        { actions: [], rejected: [{ action: 'decide', args: '{}', error: r.error }], calls, shown: 0, ...(r.budgetScope ? { budgetRefused: r.budgetScope } : {}) }
      : {
          actions: [],
          rejected: [{ action: 'decide', args: '{}', error: `model ${cfg.modelName} gave no answer: ${r.kind} after ${r.record.attempts} attempt(s): ${r.error}` }],
          calls,
          shown: shownUpTo(1),
        };

  /** One turn and, if parts of the reply were unusable, one repair turn. */
  const turn = async (msgs: ChatCompletionMessageParam[]): Promise<TurnResult | Decision> => {
    const first = await ask(msgs);
    if (!first.ok) return failed(first);
    const reply = readReply(first.message, cfg.toolMode, offered);
    let accepted = reply.proposals.filter((p) => p.valid);
    let rejected: RejectedAction[] = [];
    let history = [...msgs];
    let last = first.message;
    if (reply.problem || accepted.length < reply.proposals.length) {
      const repair = repairMessages(first.message, reply, cfg.toolMode);
      const second = await ask([...msgs, ...repair]);
      if (!second.ok) {
        rejected = rejectedOf(reply.proposals);
        if (reply.problem) rejected.push({ action: 'decide', args: '{}', error: `${reply.problem}; the repair turn failed: ${second.kind}` });
      } else {
        const again = readReply(second.message, cfg.toolMode, offered);
        accepted = [...accepted, ...again.proposals.filter((p) => p.valid)];
        rejected = rejectedOf(again.proposals);
        if (again.problem && accepted.length === 0) rejected.push({ action: 'decide', args: '{}', error: `${again.problem} (after one repair turn)` });
        history = [...msgs, ...repair];
        last = second.message;
      }
    }
    return { history, last, accepted, rejected };
  };

  const firstTurn = await turn(messages);
  if (!('history' in firstTurn)) return firstTurn;
  let { accepted, rejected } = firstTurn;
  let pagesShown = 1;
  if (req.browse) {
    // Page by page: a next_page call is answered with the next page, until the agent exits,
    // stops asking, or reaches max_pages. One next_page per turn counts (the engine derives
    // the pages shown from them).
    const { maxPages, pageSize } = req.browse;
    let page = 0;
    let current: TurnResult = firstTurn;
    accepted = onePagePerTurn(accepted, page + 1 < maxPages && req.feed.length > (page + 1) * pageSize);
    while (accepted.some((p) => p.action === 'next_page') && !accepted.some((p) => p.action === 'exit_feed') && current.accepted.some((p) => p.action === 'next_page')) {
      page++;
      pagesShown = page + 1;
      const next = await turn([...current.history, ...pageMessages(current.last, req, page, cfg.toolMode)]);
      if (!('history' in next)) {
        rejected = [...rejected, ...(next.rejected ?? [])];
        break;
      }
      const more = page + 1 < maxPages && req.feed.length > (page + 1) * pageSize;
      current = { ...next, accepted: onePagePerTurn(next.accepted, more) };
      accepted = [...accepted, ...current.accepted];
      rejected = [...rejected, ...next.rejected];
    }
  }
  const actions = accepted.map((p) => p.valid!);
  return { actions: [{ action: 'refresh', args: {} }, ...actions], rejected, calls, shown: shownUpTo(pagesShown) };
}
