import type { ListRecord } from '../social.js';
import type { ChannelState } from '../state.js';
import { USER_ID } from './checks.js';
import { NAME } from './groups.js';
import { visibleTo } from './reading.js';
import { fail, ok, type ActionSpec } from './types.js';

const LIST_ID = { type: 'integer', minimum: 1, description: 'Id of the list.' } as const;
/** Twitter's limit on pinned lists. */
export const MAX_LIST_PINS = 5;

const listArgs = { type: 'object', properties: { list_id: LIST_ID }, required: ['list_id'], additionalProperties: false } as const;
const memberArgs = {
  type: 'object',
  properties: { list_id: LIST_ID, user_id: USER_ID },
  required: ['list_id', 'user_id'],
  additionalProperties: false,
} as const;

function findList(state: ChannelState, listId: number): ListRecord | string {
  return state.social.lists.get(listId) ?? `list ${listId} does not exist`;
}

/** The list when it exists and `actor` owns it; else the error. */
function ownList(state: ChannelState, actor: number, listId: number, verb: string): ListRecord | string {
  const list = findList(state, listId);
  if (typeof list === 'string') return list;
  return list.owner === actor ? list : `only the owner of list ${listId} can ${verb}`;
}

export const createList: ActionSpec<{ name: string }> = {
  name: 'create_list',
  description: 'Create a public list of accounts (you curate it; anyone can read it).',
  parameters: { type: 'object', properties: { name: { ...NAME, description: 'Name of the list.' } }, required: ['name'], additionalProperties: false },
  apply({ state, batch }, actor, { name }) {
    const trimmed = name.trim();
    if (trimmed === '') return fail('a list needs a name');
    const id = state.social.nextListId;
    state.social.addList(id, actor, trimmed);
    batch.lists.push({ id, ownerId: actor, name: trimmed });
    return ok({ list_id: id });
  },
};

export const addToList: ActionSpec<{ list_id: number; user_id: number }> = {
  name: 'add_to_list',
  description: 'Add a user to one of your lists.',
  parameters: memberArgs,
  apply({ state, batch }, actor, { list_id, user_id }) {
    const list = ownList(state, actor, list_id, 'add to it');
    if (typeof list === 'string') return fail(list);
    if (!state.hasUser(user_id)) return fail(`user ${user_id} does not exist`);
    if (list.members.has(user_id)) return fail(`user ${user_id} is already on list ${list_id}`);
    list.members.add(user_id);
    batch.listMembers.add(list_id, user_id);
    return ok({ list_id, members: list.members.size });
  },
};

export const removeFromList: ActionSpec<{ list_id: number; user_id: number }> = {
  name: 'remove_from_list',
  description: 'Remove a user from one of your lists.',
  parameters: memberArgs,
  apply({ state, batch }, actor, { list_id, user_id }) {
    const list = ownList(state, actor, list_id, 'remove from it');
    if (typeof list === 'string') return fail(list);
    if (!state.hasUser(user_id)) return fail(`user ${user_id} does not exist`);
    if (!list.members.delete(user_id)) return fail(`user ${user_id} is not on list ${list_id}`);
    batch.listMembers.remove(list_id, user_id);
    return ok({ list_id, members: list.members.size });
  },
};

/** The newest `limit` posts of `members` that `reader` may see, newest first (a merge of per-author timelines). */
function listTimeline(state: ChannelState, reader: number, members: ReadonlySet<number>, limit: number): number[] {
  const ids: number[] = [];
  for (const member of members) {
    const own = state.postIdsOf(member);
    // No member contributes more than `limit`: the merge below keeps only `limit` in all.
    for (let i = own.length - 1, taken = 0; i >= 0 && taken < limit; i--) {
      const id = own[i] as number;
      if (!visibleTo(state, reader, id)) continue;
      ids.push(id);
      taken++;
    }
  }
  return ids.sort((a, b) => b - a).slice(0, limit);
}

export const readList: ActionSpec<{ list_id: number; limit?: number }> = {
  name: 'read_list',
  description: "Read a list's timeline: its members' posts, newest first. Lists are public: any list can be read.",
  parameters: {
    type: 'object',
    properties: { list_id: LIST_ID, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'At most this many posts.' } },
    required: ['list_id'],
    additionalProperties: false,
  },
  apply({ state, batch }, actor, { list_id, limit = 20 }) {
    const list = findList(state, list_id);
    if (typeof list === 'string') return fail(list);
    return ok({ list_id, name: list.name, post_ids: batch.recordImpressions(actor, listTimeline(state, actor, list.members, limit), 'list') });
  },
};

export const pinList: ActionSpec<{ list_id: number }> = {
  name: 'pin_list',
  description: `Pin a list (yours or anyone's) to keep it at hand; at most ${MAX_LIST_PINS} pinned lists.`,
  parameters: listArgs,
  apply({ state, batch }, actor, { list_id }) {
    const list = findList(state, list_id);
    if (typeof list === 'string') return fail(list);
    let mine = state.social.listPins.get(actor);
    if (!mine) state.social.listPins.set(actor, (mine = new Set()));
    if (mine.has(list_id)) return fail(`list ${list_id} is already pinned`);
    if (mine.size >= MAX_LIST_PINS) return fail(`at most ${MAX_LIST_PINS} lists can be pinned; unpin one first`);
    mine.add(list_id);
    batch.listPins.add(actor, list_id);
    return ok();
  },
};

export const unpinList: ActionSpec<{ list_id: number }> = {
  name: 'unpin_list',
  description: 'Unpin a list you pinned.',
  parameters: listArgs,
  apply({ state, batch }, actor, { list_id }) {
    const list = findList(state, list_id);
    if (typeof list === 'string') return fail(list);
    if (!state.social.listPins.get(actor)?.delete(list_id)) return fail(`list ${list_id} is not pinned`);
    batch.listPins.remove(actor, list_id);
    return ok();
  },
};
