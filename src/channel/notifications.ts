/**
 * What an agent's context holds (notifications, memory) and how a prompt words it: plain data
 * and text, no database. LLM worker threads import this (src/agents/llm/prompts.ts) without
 * loading DuckDB; context.ts reads it from the database.
 */

/** Something that happened to an agent since its last turn. */
export interface Notification {
  readonly step: number;
  readonly kind: 'like' | 'repost' | 'follow' | 'reply' | 'quote' | 'message' | 'group_message';
  readonly fromUser: number;
  readonly fromUsername: string;
  /** The liked or reposted post; for a reply or quote, the new post (what the agent can answer). */
  readonly postId: number | null;
  /** Reply and quote: the agent's post it answers. */
  readonly parentId?: number;
  /** Reply, quote and message: the text, cut to NOTIFICATION_TEXT characters. */
  readonly text?: string;
  readonly groupId?: number;
}

/** Characters of a reply's, quote's or message's text a notification carries: a preview, not the whole. */
export const NOTIFICATION_TEXT = 280;

/**
 * One prompt line per notification. Likes, reposts and follows read as they always have, so
 * prompts without the newer kinds (and their replay cache keys) stay the same.
 */
export function describeNotification(n: Notification): string {
  const who = `- @${n.fromUsername} (user ${n.fromUser})`;
  const quoted = ` "${(n.text ?? '').replace(/\s*\n\s*/g, ' ')}"`;
  switch (n.kind) {
    case 'follow':
      return `${who} followed you`;
    case 'like':
      return `${who} liked your post ${n.postId}`;
    case 'repost':
      return `${who} reposted your post ${n.postId}`;
    case 'reply':
      return `${who} replied to your post ${n.parentId} with post ${n.postId}:${quoted}`;
    case 'quote':
      return `${who} quoted your post ${n.parentId} in post ${n.postId}:${quoted}`;
    case 'message':
      return `${who} sent you a direct message:${quoted}`;
    case 'group_message':
      return `${who} wrote in group ${n.groupId}:${quoted}`;
  }
}

/** One of the agent's own recent actions, newest first. */
export interface MemoryItem {
  readonly step: number;
  readonly action: string;
  readonly args: string;
  readonly ok: boolean;
  readonly error: string | null;
}

/** The step of a memory item from before the run: one of a real account's previous posts. */
export const BEFORE_RUN = -1;

/**
 * `memory` (the agent's recent actions, newest first), filled up to `size` with the account's
 * posts from before the run (`previous`, oldest first as a dataset lists them), newest first,
 * as create_post items at step BEFORE_RUN: an agent remembers what it posted before until
 * what it does in the run takes their place.
 */
export function withPreviousPosts(memory: readonly MemoryItem[], previous: readonly string[] | undefined, size: number): MemoryItem[] {
  const out = memory.slice(0, Math.max(0, size));
  for (let k = (previous?.length ?? 0) - 1; k >= 0 && out.length < size; k--) {
    const text = previous![k] as string;
    if (text.trim() !== '') out.push({ step: BEFORE_RUN, action: 'create_post', args: JSON.stringify({ text }), ok: true, error: null });
  }
  return out;
}
