/**
 * Requests as they travel to workers. A feed post's text, author and author id are the same in
 * every feed that shows it, and were two thirds of a job's bytes (serialised, sent and parsed by
 * the run for each of the ~10 posts of each request): they go once per step into a Redis hash
 * (`postsKey`), and each request carries only what is its own, a short tuple per post. An
 * agent's persona (name, username, bio, character, interests) is the same at every step: it goes
 * once per run into another (`personasKey`). Workers put requests back together (`expandTask`)
 * before the task runs, so the task handler, the prompts and the request keys see exactly the
 * `WireRequest`s the run built.
 */
import type { WorkerTask } from '../agents/llm/task.js';
import type { WirePost, WireRequest } from '../agents/llm/wire.js';

/** [postId, likes, reposts, flags (1 liked, 2 reposted by me, 4 following the author), label, sharedBy, dislikes]. */
export type PostRef = readonly [number, number, number, number, string | null, string | null, number | null];

/** What each post shows whoever sees it: [authorId, author, text]. */
export type PostText = readonly [number, string, string];

/** What an agent's prompts show of its persona: [name, username, bio, interests, character]. */
export type PersonaText = readonly [string, string, string, readonly string[], string | null];

export type CompactRequest = Omit<WireRequest, 'feed' | 'name' | 'username' | 'bio' | 'character' | 'interests'> & { readonly feed: readonly PostRef[] };

export type RemoteTask =
  | { readonly kind: 'decide'; readonly model: string; readonly requests: readonly CompactRequest[] }
  | { readonly kind: 'survey'; readonly model: string; readonly question: Extract<WorkerTask, { kind: 'survey' }>['question']; readonly requests: readonly CompactRequest[] };

/**
 * The request without its persona and its posts' shared parts; `seen` gets each post and
 * `persona` the request itself (each to be written once).
 */
export function compactRequest(r: WireRequest, seen: (p: WirePost) => void, persona: (r: WireRequest) => void): CompactRequest {
  // A plain loop, no closure per request: a closure made per call is optimised anew each step.
  const feed: PostRef[] = new Array<PostRef>(r.feed.length);
  for (let i = 0; i < r.feed.length; i++) {
    const p = r.feed[i]!;
    seen(p);
    const flags = (p.likedByMe ? 1 : 0) | (p.repostedByMe ? 2 : 0) | (p.followingAuthor ? 4 : 0);
    feed[i] = [p.postId, p.likes, p.reposts, flags, p.label, p.sharedBy ?? null, p.dislikes ?? null];
  }
  persona(r);
  const { name: _n, username: _u, bio: _b, character: _c, interests: _i, ...own } = r;
  return { ...own, feed };
}

export function personaText(r: WireRequest): PersonaText {
  return [r.name, r.username, r.bio, r.interests, r.character ?? null];
}

export function postText(p: WirePost): PostText {
  return [p.authorId, p.author, p.text];
}

/** The post ids a task's feeds name, each once. */
export function postIds(task: RemoteTask): number[] {
  const ids = new Set<number>();
  for (const r of task.requests) for (const p of r.feed) ids.add(p[0]);
  return [...ids];
}

/** The agent ids of a task's requests. */
export function agentIds(task: RemoteTask): number[] {
  return task.requests.map((r) => r.agentId);
}

/** The task as the run built it, personas and posts' shared parts from the tables; throws when one is missing. */
export function expandTask(task: RemoteTask, texts: (id: number) => PostText | undefined, personas: (agentId: number) => PersonaText | undefined): WorkerTask {
  const requests = task.requests.map((r): WireRequest => {
    const p = personas(r.agentId);
    if (!p) throw new Error(`agent ${r.agentId}'s persona is not in Redis (was it flushed?); resume the run to send it again`);
    const [name, username, bio, interests, character] = p;
    return { ...r, name, username, bio, ...(character !== null ? { character } : {}), interests, feed: r.feed.map((ref) => expandPost(ref, texts)) };
  });
  return task.kind === 'survey' ? { ...task, requests } : { ...task, requests };
}

function expandPost(ref: PostRef, texts: (id: number) => PostText | undefined): WirePost {
  const [postId, likes, reposts, flags, label, sharedBy, dislikes] = ref;
  const t = texts(postId);
  if (!t) throw new Error(`post ${postId} of a feed is not in Redis (was it flushed?); resume the run to send it again`);
  return {
    postId,
    authorId: t[0],
    author: t[1],
    text: t[2],
    likes,
    ...(dislikes !== null ? { dislikes } : {}),
    reposts,
    likedByMe: (flags & 1) !== 0,
    repostedByMe: (flags & 2) !== 0,
    followingAuthor: (flags & 4) !== 0,
    label,
    ...(sharedBy !== null ? { sharedBy } : {}),
  };
}
