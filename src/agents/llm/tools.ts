import { actionCatalog } from '../../channel/actions/registry.js';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

/** Actions the engine performs for the agent (registration, reading the feed) are not offered. */
export const NOT_OFFERED: ReadonlySet<string> = new Set(['sign_up', 'refresh']);
/** Offered only in browse mode, where the feed comes in pages. */
export const BROWSE_ACTIONS: ReadonlySet<string> = new Set(['view_post', 'next_page', 'exit_feed']);

const cached = new Map<string, ChatCompletionFunctionTool[]>();

/** Names of every action an agent can be offered (the registry's, less the engine's own). */
export function offerableActions(): string[] {
  return actionCatalog()
    .map((a) => a.name)
    .filter((n) => !NOT_OFFERED.has(n));
}

/**
 * The registry's actions as OpenAI tools, the browse-mode ones only in browse mode, and only
 * those in `allowed` when a model restricts them (browse actions always, browse needs them).
 * Built once per combination: every request of a run sends the same list.
 */
export function agentTools(browse = false, allowed?: ReadonlySet<string>): ChatCompletionFunctionTool[] {
  const key = `${browse}|${allowed ? [...allowed].sort().join(',') : '*'}`;
  let tools = cached.get(key);
  if (!tools) {
    tools = actionCatalog()
      .filter((a) => !NOT_OFFERED.has(a.name) && (BROWSE_ACTIONS.has(a.name) ? browse : !allowed || allowed.has(a.name)))
      .map((a) => ({
        type: 'function' as const,
        function: { name: a.name, description: a.description, parameters: { ...a.parameters } as Record<string, unknown> },
      }));
    cached.set(key, tools);
  }
  return tools;
}

/** The `tool_mode: json` contract, appended to the system prompt for models without tool calling. */
export function jsonModeInstructions(browse = false, allowed?: ReadonlySet<string>): string {
  const lines = agentTools(browse, allowed).map((t) => {
    const params = t.function.parameters as { properties?: Record<string, { type?: string }> };
    const args = Object.entries(params.properties ?? {})
      .map(([k, v]) => `"${k}": ${v.type ?? 'value'}`)
      .join(', ');
    return `- ${t.function.name} {${args}}: ${t.function.description ?? ''}`;
  });
  return [
    '',
    'Reply with a JSON array of the actions you take and nothing else, for example:',
    '[{"action": "like", "args": {"post_id": 12}}, {"action": "create_post", "args": {"text": "..."}}]',
    'Available actions:',
    ...lines,
  ].join('\n');
}
