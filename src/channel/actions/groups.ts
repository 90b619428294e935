import { PairDiff } from '../batch.js';
import type { GroupRecord } from '../social.js';
import type { ChannelState } from '../state.js';
import { GROUP_ID, MESSAGE_TEXT, nextMessageId } from './messages.js';
import { fail, ok, type ActionSpec, type ApplyContext } from './types.js';

export const NAME = { type: 'string', minLength: 1, maxLength: 100, description: 'The name.' } as const;

const groupArgs = { type: 'object', properties: { group_id: GROUP_ID }, required: ['group_id'], additionalProperties: false } as const;

function findGroup(state: ChannelState, groupId: number): GroupRecord | string {
  return state.social.groups.get(groupId) ?? `group ${groupId} does not exist`;
}

/** Opens a group_members row for (group, user) in this step's batch. */
function openMembership({ state, batch }: ApplyContext, groupId: number, user: number): void {
  state.social.joinGroup(groupId, user);
  batch.joins.push({ groupId, userId: user, leftStep: null });
}

export const createGroup: ActionSpec<{ name: string }> = {
  name: 'create_group',
  description: 'Start a group chat with the given name; you are its first member and anyone can join.',
  parameters: { type: 'object', properties: { name: { ...NAME, description: 'Name of the group.' } }, required: ['name'], additionalProperties: false },
  apply(ctx, actor, { name }) {
    const trimmed = name.trim();
    if (trimmed === '') return fail('a group needs a name');
    const id = ctx.state.social.nextGroupId;
    ctx.state.social.addGroup(id, actor, trimmed);
    ctx.batch.groups.push({ id, ownerId: actor, name: trimmed });
    openMembership(ctx, id, actor);
    return ok({ group_id: id });
  },
};

export const joinGroup: ActionSpec<{ group_id: number }> = {
  name: 'join_group',
  description: "Join a group chat to read and send its messages.",
  parameters: groupArgs,
  apply(ctx, actor, { group_id }) {
    const group = findGroup(ctx.state, group_id);
    if (typeof group === 'string') return fail(group);
    if (group.members.has(actor)) return fail(`already a member of group ${group_id}`);
    openMembership(ctx, group_id, actor);
    return ok({ group_id, members: group.members.size });
  },
};

export const leaveGroup: ActionSpec<{ group_id: number }> = {
  name: 'leave_group',
  description: 'Leave a group chat you are a member of.',
  parameters: groupArgs,
  apply({ state, batch }, actor, { group_id }) {
    const group = findGroup(state, group_id);
    if (typeof group === 'string') return fail(group);
    if (!state.social.leaveGroup(group_id, actor)) return fail(`not a member of group ${group_id}`);
    // A membership opened this step closes in its own row; an older one gets left_step at commit.
    const opened = batch.joins.findLast((j) => j.groupId === group_id && j.userId === actor && j.leftStep === null);
    if (opened) opened.leftStep = batch.step;
    else batch.closedMemberships.add(PairDiff.key(group_id, actor));
    return ok();
  },
};

export const sendGroupMessage: ActionSpec<{ group_id: number; text: string }> = {
  name: 'send_group_message',
  description: 'Send a message to a group chat you are a member of; all its members can read it.',
  parameters: { type: 'object', properties: { group_id: GROUP_ID, text: MESSAGE_TEXT }, required: ['group_id', 'text'], additionalProperties: false },
  apply(ctx, actor, { group_id, text }) {
    const group = findGroup(ctx.state, group_id);
    if (typeof group === 'string') return fail(group);
    if (!group.members.has(actor)) return fail(`not a member of group ${group_id}`);
    if (text.trim() === '') return fail('a message needs some text');
    const id = nextMessageId(ctx);
    ctx.state.social.addMessage({ id, sender: actor, recipient: null, groupId: group_id, text, step: ctx.batch.step });
    ctx.batch.groupMessages.push({ messageId: id, groupId: group_id, senderId: actor, text });
    return ok({ message_id: id });
  },
};
