import { actionCatalog } from '../../channel/actions/registry.js';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

/** Actions the engine performs for the agent (registration, reading the feed) are not offered. */
const NOT_OFFERED = new Set(['sign_up', 'refresh']);
/** Offered only in browse mode, where the feed comes in pages. */
export const BROWSE_ACTIONS: ReadonlySet<string> = new Set(['view_post', 'next_page', 'exit_feed']);

const cached = new Map<boolean, ChatCompletionFunctionTool[]>();

/** The registry's actions as OpenAI tools (built once per mode: every request of a run sends the same list). */
export function agentTools(browse = false): ChatCompletionFunctionTool[] {
  let tools = cached.get(browse);
  if (!tools) {
    tools = actionCatalog()
      .filter((a) => !NOT_OFFERED.has(a.name) && (browse || !BROWSE_ACTIONS.has(a.name)))
      .map((a) => ({
        type: 'function' as const,
        function: { name: a.name, description: a.description, parameters: { ...a.parameters } as Record<string, unknown> },
      }));
    cached.set(browse, tools);
  }
  return tools;
}

/** The `tool_mode: json` contract, appended to the system prompt for models without tool calling. */
export function jsonModeInstructions(browse = false): string {
  const lines = agentTools(browse).map((t) => {
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
