import type { ChannelDb } from './db.js';

/** A group chat: anyone may join; its messages are read by its current members. */
export interface GroupRecord {
  readonly creator: number;
  readonly name: string;
  /** Current members (the creator joins on creation and may leave like anyone else). */
  readonly members: Set<number>;
}

/** A public list of accounts curated by its owner; anyone may read or pin it. */
export interface ListRecord {
  readonly owner: number;
  readonly name: string;
  readonly members: Set<number>;
}

/** A direct message (groupId null) or a group message (recipient null). */
export interface MessageRecord {
  readonly id: number;
  readonly sender: number;
  readonly recipient: number | null;
  readonly groupId: number | null;
  readonly text: string;
  readonly step: number;
}

/**
 * Messages the mirror keeps per inbox (a user's received DMs, a group's log). read_messages
 * returns at most this many, so older ones only live in DuckDB: the mirror stays bounded
 * however long a run chats.
 */
export const MESSAGE_WINDOW = 50;

/**
 * The mirror's part for direct messages, groups and lists: what their actions check rules
 * against and read from, rebuilt from DuckDB by `load` like the rest of ChannelState.
 */
export class SocialState {
  readonly groups = new Map<number, GroupRecord>();
  /** user → groups it is currently a member of. */
  readonly groupsOf = new Map<number, Set<number>>();
  readonly lists = new Map<number, ListRecord>();
  /** user → lists it pinned. */
  readonly listPins = new Map<number, Set<number>>();
  private readonly inboxes = new Map<number, MessageRecord[]>();
  private readonly groupLogs = new Map<number, MessageRecord[]>();
  nextGroupId = 1;
  nextListId = 1;
  /** One sequence for DMs and group messages, so a merged inbox orders by id. */
  nextMessageId = 1;

  addGroup(id: number, creator: number, name: string): GroupRecord {
    const group: GroupRecord = { creator, name, members: new Set() };
    this.groups.set(id, group);
    if (id >= this.nextGroupId) this.nextGroupId = id + 1;
    return group;
  }

  /** False when `user` already is a member. */
  joinGroup(groupId: number, user: number): boolean {
    const group = this.groups.get(groupId);
    if (!group || group.members.has(user)) return false;
    group.members.add(user);
    let mine = this.groupsOf.get(user);
    if (!mine) this.groupsOf.set(user, (mine = new Set()));
    mine.add(groupId);
    return true;
  }

  /** False when `user` is not a member. */
  leaveGroup(groupId: number, user: number): boolean {
    if (!this.groups.get(groupId)?.members.delete(user)) return false;
    this.groupsOf.get(user)?.delete(groupId);
    return true;
  }

  groupsOfUser(user: number): ReadonlySet<number> {
    return this.groupsOf.get(user) ?? EMPTY;
  }

  addList(id: number, owner: number, name: string): ListRecord {
    const list: ListRecord = { owner, name, members: new Set() };
    this.lists.set(id, list);
    if (id >= this.nextListId) this.nextListId = id + 1;
    return list;
  }

  pinsOf(user: number): ReadonlySet<number> {
    return this.listPins.get(user) ?? EMPTY;
  }

  addMessage(m: MessageRecord): void {
    if (m.id >= this.nextMessageId) this.nextMessageId = m.id + 1;
    const key = m.groupId ?? m.recipient;
    if (key === null) return;
    const logs = m.groupId !== null ? this.groupLogs : this.inboxes;
    let log = logs.get(key);
    if (!log) logs.set(key, (log = []));
    log.push(m);
    // Trimmed in bulk, not per message: one splice per MESSAGE_WINDOW messages.
    if (log.length >= 2 * MESSAGE_WINDOW) log.splice(0, log.length - MESSAGE_WINDOW);
  }

  /** DMs `user` received, oldest first (at most the last 2 × MESSAGE_WINDOW). */
  inboxOf(user: number): readonly MessageRecord[] {
    return this.inboxes.get(user) ?? NO_MESSAGES;
  }

  /** A group's messages, oldest first (at most the last 2 × MESSAGE_WINDOW). */
  logOf(groupId: number): readonly MessageRecord[] {
    return this.groupLogs.get(groupId) ?? NO_MESSAGES;
  }

  /** Rebuilds this part of the mirror from a sim.duckdb (see ChannelState.load). */
  async load(db: ChannelDb): Promise<void> {
    for (const g of await db.query<{ id: number; creator: number; name: string }>('SELECT group_id AS id, creator_id AS creator, name FROM groups ORDER BY group_id')) {
      this.addGroup(g.id, g.creator, g.name);
    }
    for (const m of await db.query<{ g: number; u: number }>('SELECT group_id AS g, user_id AS u FROM group_members WHERE left_step IS NULL ORDER BY ALL')) this.joinGroup(m.g, m.u);
    for (const l of await db.query<{ id: number; owner: number; name: string }>('SELECT list_id AS id, owner_id AS owner, name FROM lists ORDER BY list_id')) {
      this.addList(l.id, l.owner, l.name);
    }
    for (const m of await db.query<{ l: number; u: number }>('SELECT list_id AS l, user_id AS u FROM list_members ORDER BY ALL')) this.lists.get(m.l)?.members.add(m.u);
    for (const p of await db.query<{ u: number; l: number }>('SELECT user_id AS u, list_id AS l FROM list_pins ORDER BY ALL')) {
      let mine = this.listPins.get(p.u);
      if (!mine) this.listPins.set(p.u, (mine = new Set()));
      mine.add(p.l);
    }
    type M = { id: number; sender: number; recipient: number | null; g: number | null; text: string; step: number };
    const messages = await db.query<M>(
      `SELECT * FROM (
         SELECT message_id::DOUBLE AS id, sender_id AS sender, recipient_id AS recipient, NULL::INTEGER AS g, text, created_step AS step
         FROM direct_messages QUALIFY row_number() OVER (PARTITION BY recipient_id ORDER BY message_id DESC) <= $1
         UNION ALL
         SELECT message_id::DOUBLE, sender_id, NULL::INTEGER, group_id, text, created_step
         FROM group_messages QUALIFY row_number() OVER (PARTITION BY group_id ORDER BY message_id DESC) <= $1
       ) ORDER BY id`,
      [MESSAGE_WINDOW],
    );
    for (const m of messages) this.addMessage({ id: m.id, sender: m.sender, recipient: m.recipient, groupId: m.g, text: m.text, step: m.step });
    // The windows above drop old messages; the id sequence must continue after all of them.
    const [max] = await db.query<{ n: number | null }>(
      'SELECT greatest((SELECT max(message_id) FROM direct_messages), (SELECT max(message_id) FROM group_messages))::DOUBLE AS n',
    );
    if (max?.n !== null && max?.n !== undefined && max.n >= this.nextMessageId) this.nextMessageId = max.n + 1;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
const NO_MESSAGES: readonly MessageRecord[] = [];
