import type { ChatCompletionFunctionTool, ChatCompletionMessage, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ModelClient } from '../../llm/types.js';
import type { LlmCall, SurveyAnswer, SurveyQuestion } from '../types.js';

export type { SurveyAnswer, SurveyQuestion };
import type { LlmAgentConfig } from './decide.js';
import { promptVars, render } from './prompts.js';
import type { WireRequest } from './wire.js';


function scaleText(q: SurveyQuestion): string {
  const [lo, hi] = q.scale.labels ?? [];
  return `an integer from ${q.scale.min}${lo ? ` (${lo})` : ''} to ${q.scale.max}${hi ? ` (${hi})` : ''}`;
}

function answerTool(q: SurveyQuestion): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: {
      name: 'answer_survey',
      description: `Give your answer: ${scaleText(q)}.`,
      parameters: {
        type: 'object',
        properties: { answer: { type: 'integer', minimum: q.scale.min, maximum: q.scale.max } },
        required: ['answer'],
        additionalProperties: false,
      },
    },
  };
}

/** The answer in a reply, or why there is none: a tool call in tools mode, the first integer in json mode. */
function readAnswer(message: ChatCompletionMessage, q: SurveyQuestion, mode: LlmAgentConfig['toolMode']): { answer: number | null; raw: string; error: string | null } {
  let raw: string;
  let value: unknown;
  if (mode === 'tools') {
    const call = message.tool_calls?.find((c) => c.type === 'function' && c.function.name === 'answer_survey');
    raw = call && call.type === 'function' ? call.function.arguments : (message.content ?? '');
    if (!call) return { answer: null, raw, error: 'answer_survey was not called' };
    try {
      value = (JSON.parse(raw) as { answer?: unknown }).answer;
    } catch {
      return { answer: null, raw, error: 'the answer is not valid JSON' };
    }
  } else {
    raw = message.content ?? '';
    const m = /-?\d+/.exec(raw);
    value = m ? Number(m[0]) : undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) return { answer: null, raw, error: `no integer answer in the reply` };
  if (value < q.scale.min || value > q.scale.max) return { answer: null, raw, error: `answer ${value} is outside ${q.scale.min}..${q.scale.max}` };
  return { answer: value, raw, error: null };
}

/** Asks one agent one question in the agent's own persona; one repair turn for an unusable answer. */
export async function askSurvey(client: ModelClient, cfg: LlmAgentConfig, req: WireRequest, q: SurveyQuestion): Promise<SurveyAnswer> {
  const system = render(cfg.templates.system, promptVars(req));
  const instruction = cfg.toolMode === 'tools' ? 'Answer by calling answer_survey.' : `Reply with only the number.`;
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: system },
    { role: 'user', content: `A short survey. ${q.question}\nAnswer with ${scaleText(q)}. ${instruction}` },
  ];
  const tools = cfg.toolMode === 'tools' ? [answerTool(q)] : undefined;
  const calls: LlmCall[] = [];
  let last: { answer: number | null; raw: string | null; error: string | null } = { answer: null, raw: null, error: null };
  for (let turn = 0; turn < 2; turn++) {
    const r = await client.chat({ messages, ...(tools ? { tools, toolChoice: 'auto' as const } : {}) });
    calls.push({ model: cfg.modelName, ...r.record });
    if (!r.ok) return { answer: null, raw: null, error: r.kind === 'budget_exhausted' ? r.error : `model ${cfg.modelName} gave no answer: ${r.kind}: ${r.error}`, calls };
    last = readAnswer(r.message, q, cfg.toolMode);
    if (last.answer !== null) return { ...last, calls };
    messages.push(
      { role: 'assistant', content: r.message.content ?? null, ...(r.message.tool_calls?.length ? { tool_calls: r.message.tool_calls } : {}) },
      ...(r.message.tool_calls ?? []).map((c): ChatCompletionMessageParam => ({ role: 'tool', tool_call_id: c.id, content: `error: ${last.error}` })),
      { role: 'user', content: `That answer could not be used (${last.error}). Answer with ${scaleText(q)}. ${instruction}` },
    );
  }
  return { ...last, error: `${last.error} (after one repair turn)`, calls };
}
