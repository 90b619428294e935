import type { ValidateFunction } from 'ajv';
import { exitFeed, nextPage, viewPost } from './browse.js';
import { bookmark, dislike, like, unbookmark, undoDislike, unlike } from './engagement.js';
import { follow, unfollow } from './graph.js';
import { createGroup, joinGroup, leaveGroup, sendGroupMessage } from './groups.js';
import { addToList, createList, pinList, readList, removeFromList, unpinList } from './lists.js';
import { readMessages, sendDirectMessage } from './messages.js';
import { hideReply, mute, reportPost, unmute } from './moderation.js';
import { createPost, deletePost, pinPost, quotePost, reply, repost } from './posts.js';
import { listBookmarks, timeline } from './reading.js';
import { searchPosts, searchUsers, trends } from './search.js';
import { doNothing, refresh, signUp } from './session.js';
import type { ActionResult, ActionSpec, AgentAction, ApplyContext, JsonSchemaObject } from './types.js';
import { actionValidators, writeStandaloneActionValidators } from './validators.js';

// ActionSpec is contravariant in its args; the registry only calls `apply` on args the
// action's own schema accepted, which is what makes this widening sound.
const ALL: readonly ActionSpec<never>[] = [
  signUp,
  refresh,
  createPost,
  reply,
  quotePost,
  deletePost,
  pinPost,
  like,
  unlike,
  dislike,
  undoDislike,
  repost,
  bookmark,
  unbookmark,
  listBookmarks,
  follow,
  unfollow,
  mute,
  unmute,
  reportPost,
  hideReply,
  timeline,
  searchPosts,
  searchUsers,
  trends,
  viewPost,
  nextPage,
  exitFeed,
  sendDirectMessage,
  createGroup,
  joinGroup,
  leaveGroup,
  sendGroupMessage,
  readMessages,
  createList,
  addToList,
  removeFromList,
  readList,
  pinList,
  unpinList,
  doNothing,
];

const registry = new Map<string, ActionSpec<never>>(ALL.map((spec) => [spec.name, spec]));
const validators = actionValidators(ALL);

function validatorOf(spec: ActionSpec<never>): ValidateFunction {
  // Every registered name has a schema: the lookup cannot miss.
  return validators(spec.name)!;
}

/** The build writes the standalone validators of every action (validators.ts). */
export function writeActionValidators(path?: string): void {
  writeStandaloneActionValidators(ALL, path);
}

export const ACTION_NAMES: readonly string[] = ALL.map((a) => a.name);

/** Name, description and argument schema of every action: the LLM tool list and the policy menu. */
export function actionCatalog(): readonly { name: string; description: string; parameters: JsonSchemaObject }[] {
  return ALL.map(({ name, description, parameters }) => ({ name, description, parameters }));
}

/** Schema check only (no platform state): what an LLM's tool call is vetted with before a repair turn. */
export function validateAction(action: AgentAction): string | null {
  const spec = registry.get(action.action);
  if (!spec) return `unknown action "${action.action}"; available: ${ACTION_NAMES.join(', ')}`;
  const validate = validatorOf(spec);
  return validate(action.args) ? null : `invalid arguments for ${action.action}: ${describeErrors(validate)}`;
}

/** The one path every action takes, whoever decided it: existence, schema, rules, effect. */
export function applyAction(ctx: ApplyContext, actor: number, action: AgentAction): ActionResult {
  const spec = registry.get(action.action);
  if (!spec) return { ok: false, error: `unknown action "${action.action}"` };
  if (spec.name !== 'sign_up' && !ctx.state.hasUser(actor)) return { ok: false, error: `agent ${actor} has not signed up` };
  if (ctx.state.suspended.has(actor)) return { ok: false, error: `account ${actor} is suspended` };
  const validate = validatorOf(spec);
  if (!validate(action.args)) return { ok: false, error: `invalid arguments for ${action.action}: ${describeErrors(validate)}` };
  return spec.apply(ctx, actor, action.args as never);
}

function describeErrors(validate: ValidateFunction): string {
  const e = validate.errors?.[0];
  if (!e) return 'rejected by schema';
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'arguments';
  if (e.keyword === 'required') return `missing required argument "${String(e.params['missingProperty'])}"`;
  if (e.keyword === 'additionalProperties') return `unknown argument "${String(e.params['additionalProperty'])}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}
