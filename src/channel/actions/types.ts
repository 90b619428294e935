import type { StepBatch } from '../batch.js';
import type { ChannelState } from '../state.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What an agent asks the platform to do: the shape of an LLM tool call and of a policy's choice. */
export interface AgentAction {
  readonly action: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export type ActionResult =
  | { readonly ok: true; readonly result?: { readonly [key: string]: JsonValue } }
  | { readonly ok: false; readonly error: string };

export interface ApplyContext {
  readonly state: ChannelState;
  readonly batch: StepBatch;
  /** The feed the recommender last gave this user (post ids, rank order). */
  readonly feedOf: (user: number) => readonly number[];
}

export interface JsonSchemaObject {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

/**
 * One platform action, described once: its name, description and argument schema serve the
 * LLM tool list and the statistical policy's menu alike; `apply` enforces the rules and
 * records the effect in the step batch. `apply` runs only on arguments the schema accepted.
 */
export interface ActionSpec<A = Record<string, never>> {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
  apply(ctx: ApplyContext, actor: number, args: A): ActionResult;
}

export const ok = (result?: { [key: string]: JsonValue }): ActionResult => (result ? { ok: true, result } : { ok: true });
export const fail = (error: string): ActionResult => ({ ok: false, error });
