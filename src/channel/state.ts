import type { ChannelDb } from './db.js';

export interface UserRecord {
  readonly username: string;
  readonly kind: 'agent' | 'seed';
}

export interface PostRecord {
  readonly author: number;
  readonly kind: PostKind;
  readonly parentId: number | null;
  readonly createdStep: number;
  readonly text: string;
  readonly label: string | null;
  deleted: boolean;
}

export type PostKind = 'original' | 'repost' | 'quote' | 'comment';

/**
 * What the action handlers check rules against: the platform's current state held in memory,
 * a mirror of the DuckDB tables kept in step with every applied action. Checking "already
 * liked?" here costs a Set lookup instead of a query, which is what lets a step apply tens
 * of thousands of actions per second; DuckDB stays the record and the place for set queries.
 */
export class ChannelState {
  readonly users = new Map<number, UserRecord>();
  readonly usernames = new Set<string>();
  readonly posts = new Map<number, PostRecord>();
  readonly follows = new Map<number, Set<number>>();
  readonly likes = new Map<number, Set<number>>();
  readonly reposts = new Map<number, Set<number>>();
  /** Original posts by creation step: the recommenders' candidate window without a scan. */
  private readonly originalsByStep = new Map<number, number[]>();
  nextPostId = 1;

  addPost(postId: number, post: Omit<PostRecord, 'deleted'>): void {
    this.posts.set(postId, { ...post, deleted: false });
    if (postId >= this.nextPostId) this.nextPostId = postId + 1;
    if (post.kind === 'original') {
      const list = this.originalsByStep.get(post.createdStep);
      if (list) list.push(postId);
      else this.originalsByStep.set(post.createdStep, [postId]);
    }
  }

  /** Ids of live original posts created at `fromStep` or later, ascending. */
  liveOriginals(fromStep: number): number[] {
    const ids: number[] = [];
    const steps = [...this.originalsByStep.keys()].filter((s) => s >= fromStep).sort((a, b) => a - b);
    for (const step of steps) {
      for (const id of this.originalsByStep.get(step) ?? []) if (!this.posts.get(id)?.deleted) ids.push(id);
    }
    return ids;
  }

  hasUser(id: number): boolean {
    return this.users.has(id);
  }

  livePost(id: number): PostRecord | undefined {
    const p = this.posts.get(id);
    return p && !p.deleted ? p : undefined;
  }

  followeesOf(user: number): ReadonlySet<number> {
    return this.follows.get(user) ?? EMPTY;
  }

  likesOf(user: number): ReadonlySet<number> {
    return this.likes.get(user) ?? EMPTY;
  }

  repostsOf(user: number): ReadonlySet<number> {
    return this.reposts.get(user) ?? EMPTY;
  }

  static addTo(map: Map<number, Set<number>>, key: number, value: number): boolean {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    if (set.has(value)) return false;
    set.add(value);
    return true;
  }

  static removeFrom(map: Map<number, Set<number>>, key: number, value: number): boolean {
    return map.get(key)?.delete(value) ?? false;
  }

  /** Rebuilds the mirror from a sim.duckdb, e.g. to continue a run after its last committed step. */
  static async load(db: ChannelDb): Promise<ChannelState> {
    const s = new ChannelState();
    for (const u of await db.query<{ id: number; username: string; kind: string }>(
      'SELECT user_id AS id, username, kind FROM users',
    )) {
      s.users.set(u.id, { username: u.username, kind: u.kind === 'seed' ? 'seed' : 'agent' });
      s.usernames.add(u.username);
    }
    for (const p of await db.query<{ id: number; author: number; kind: PostKind; parent: number | null; step: number; text: string; label: string | null }>(
      'SELECT post_id::DOUBLE AS id, author_id AS author, kind, parent_id::DOUBLE AS parent, created_step AS step, text, label FROM posts ORDER BY post_id',
    )) {
      s.addPost(p.id, { author: p.author, kind: p.kind, parentId: p.parent, createdStep: p.step, text: p.text, label: p.label });
    }
    for (const r of await db.query<{ a: number; b: number }>('SELECT follower_id AS a, followee_id AS b FROM follows')) {
      ChannelState.addTo(s.follows, r.a, r.b);
    }
    for (const r of await db.query<{ a: number; b: number }>('SELECT user_id AS a, post_id::DOUBLE AS b FROM likes')) {
      ChannelState.addTo(s.likes, r.a, r.b);
    }
    for (const r of await db.query<{ a: number; b: number }>('SELECT user_id AS a, post_id::DOUBLE AS b FROM reposts')) {
      ChannelState.addTo(s.reposts, r.a, r.b);
    }
    return s;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
