import type { MemoryItem, Notification } from '../../channel/notifications.js';

/**
 * A decision request as it crosses into a worker thread: plain data only (no Sets or Maps),
 * and only what the prompt shows.
 */
export interface WirePost {
  readonly postId: number;
  readonly authorId: number;
  readonly author: string;
  readonly text: string;
  readonly likes: number;
  /** Only when the platform shows dislikes (herding runs); absent, the prompt line is as it always was. */
  readonly dislikes?: number;
  readonly reposts: number;
  readonly likedByMe: boolean;
  readonly repostedByMe: boolean;
  readonly followingAuthor: boolean;
  readonly label: string | null;
  /** Home timeline: the username of the followee whose repost showed it. */
  readonly sharedBy?: string;
}

export interface WireRequest {
  readonly agentId: number;
  readonly name: string;
  readonly username: string;
  readonly bio: string;
  /** A real account's free-text character description (dataset users' `character`). */
  readonly character?: string;
  readonly interests: readonly string[];
  readonly simTime: string;
  /** In browse mode every page of it; the prompt shows the first and next_page the others. */
  readonly feed: readonly WirePost[];
  readonly browse?: { readonly pageSize: number; readonly maxPages: number };
  readonly notifications: readonly Notification[];
  readonly memory: readonly MemoryItem[];
}
