import { MESSAGE_WINDOW, type MessageRecord } from '../social.js';
import type { ChannelState } from '../state.js';
import { findOtherUser, USER_ID } from './checks.js';
import { fail, ok, type ActionSpec, type ApplyContext, type JsonValue } from './types.js';

export const MESSAGE_TEXT = { type: 'string', minLength: 1, maxLength: 2000, description: 'The text of the message.' } as const;
export const GROUP_ID = { type: 'integer', minimum: 1, description: 'Id of the group.' } as const;

/** Takes the next message id; DMs and group messages share the sequence. */
export function nextMessageId({ state }: ApplyContext): number {
  return state.social.nextMessageId++;
}

export const sendDirectMessage: ActionSpec<{ to_user_id: number; text: string }> = {
  name: 'send_direct_message',
  description: 'Send a private message to another user; only they can read it.',
  parameters: {
    type: 'object',
    properties: { to_user_id: { ...USER_ID, description: 'Id of the recipient.' }, text: MESSAGE_TEXT },
    required: ['to_user_id', 'text'],
    additionalProperties: false,
  },
  apply(ctx, actor, { to_user_id, text }) {
    const problem = findOtherUser(ctx.state, actor, to_user_id, 'message');
    if (problem) return fail(problem);
    if (text.trim() === '') return fail('a message needs some text');
    const id = nextMessageId(ctx);
    ctx.state.social.addMessage({ id, sender: actor, recipient: to_user_id, groupId: null, text, step: ctx.batch.step });
    ctx.batch.directMessages.push({ messageId: id, senderId: actor, recipientId: to_user_id, text });
    return ok({ message_id: id });
  },
};

function view(m: MessageRecord): JsonValue {
  return { message_id: m.id, from_user_id: m.sender, group_id: m.groupId, text: m.text, step: m.step };
}

/** The newest `limit` messages of `logs` (each oldest first) not sent by a user `skip` rejects, newest first. */
function newest(logs: readonly (readonly MessageRecord[])[], limit: number, skip: (m: MessageRecord) => boolean): MessageRecord[] {
  const out: MessageRecord[] = [];
  for (const log of logs) {
    let taken = 0;
    for (let i = log.length - 1; i >= 0 && taken < limit; i--) {
      const m = log[i] as MessageRecord;
      if (skip(m)) continue;
      out.push(m);
      taken++;
    }
  }
  return out.sort((a, b) => b.id - a.id).slice(0, limit);
}

function inbox(state: ChannelState, actor: number, limit: number): MessageRecord[] {
  const muted = state.mutesOf(actor);
  const logs = [state.social.inboxOf(actor), ...[...state.social.groupsOfUser(actor)].map((g) => state.social.logOf(g))];
  // Your own group messages are not news to you; muted senders do not reach you here either.
  return newest(logs, limit, (m) => m.sender === actor || muted.has(m.sender));
}

export const readMessages: ActionSpec<{ group_id?: number; limit?: number }> = {
  name: 'read_messages',
  description: "Read messages, newest first: a group's conversation (you must be a member), or without group_id the direct messages you received and your groups' messages.",
  parameters: {
    type: 'object',
    properties: {
      group_id: { ...GROUP_ID, description: 'The group to read; leave out for your inbox.' },
      limit: { type: 'integer', minimum: 1, maximum: MESSAGE_WINDOW, default: 20, description: 'At most this many messages.' },
    },
    additionalProperties: false,
  },
  apply({ state }, actor, { group_id, limit = 20 }) {
    if (group_id === undefined) return ok({ messages: inbox(state, actor, limit).map(view) });
    const group = state.social.groups.get(group_id);
    if (!group) return fail(`group ${group_id} does not exist`);
    if (!group.members.has(actor)) return fail(`not a member of group ${group_id}`);
    const muted = state.mutesOf(actor);
    return ok({ group_id, messages: newest([state.social.logOf(group_id)], limit, (m) => muted.has(m.sender)).map(view) });
  },
};
