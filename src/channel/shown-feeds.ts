/**
 * What agents were shown of their feeds in a step, written to `impressions` and read back by
 * the step's reposts, quotes and replies (where they saw a post). A feed that came whole from
 * the recommender is kept as its id list (popularity hands one array to many agents); a feed
 * mixed with the home timeline is copied into packed columns. At a million agents there are
 * some 400,000 mixed feeds a step, held from the agents' observations to the step's writes: as
 * objects (three arrays each) they outlived the young generation: V8 promoted 594 and 523 MB
 * in bench:scale's two steps, against 410 and 367 MB now (`--trace-gc-nvp`). As rows of typed
 * arrays, reused from step to step, they are not the collector's to copy.
 */

/** Where a feed post came from: the recommender, or the home timeline of followees' posts. */
export type FeedSource = 'recsys' | 'home';

/**
 * A feed as shown, rank order. `sources` and `via` are null when every post came from the
 * recommender as itself (no home timeline), so feeds shared by many agents stay shared.
 */
export interface ShownFeed {
  readonly ids: readonly number[];
  readonly sources: readonly FeedSource[] | null;
  /** Per rank, the followee's repost the post was shown through (home timeline), else null. */
  readonly via: readonly (number | null)[] | null;
}

/** Where an agent saw a post of its feed: the source and the post id it was shown as. */
export interface FeedExposure {
  readonly source: FeedSource;
  readonly viaPostId: number;
}

/** A packed row's origin: a recommender post, a home entry written by the followee (else the via post id, ≥ 0). */
const RECSYS = -2;
const HOME = -1;

export class ShownFeeds {
  /** Entry per agent recorded, in the order recorded. */
  private readonly entryOf = new Map<number, number>();
  /** Per entry: the recommender's list, or null for a mixed feed (its rows in the columns). */
  private readonly lists: (readonly number[] | null)[] = [];
  private agentOf = new Float64Array(1024);
  /** Per entry of a mixed feed, its first row in `ids` and `origins`. */
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  /** Entries shown, in the order shown (the order written), and how much of each. */
  private shownEntries = new Int32Array(1024);
  private shownLengths = new Int32Array(1024);
  private shownCount = 0;
  /** Per entry, its place in `shownEntries` + 1 (0: not shown). */
  private shownAt = new Int32Array(1024);
  private ids = new Float64Array(8192);
  private origins = new Float64Array(8192);
  private rows = 0;

  /** Empties the store, keeping its buffers. */
  reset(): void {
    this.shownAt.fill(0, 0, this.lists.length);
    this.entryOf.clear();
    this.lists.length = 0;
    this.shownCount = 0;
    this.rows = 0;
  }

  /**
   * Room for `entries` agents' feeds and `rows` posts of mixed feeds, made at once: growing an
   * array by steps at a million agents leaves V8 dozens of large buffers to account for, and it
   * answers with full collections of the whole heap while the step decides.
   */
  reserve(entries: number, rows: number): void {
    this.grownEntries(this.lists.length + entries);
    this.grownRows(this.rows + rows);
  }

  has(agent: number): boolean {
    return this.entryOf.has(agent);
  }

  /** Records `agent`'s whole feed as observed; a second record of the same agent is ignored (the first is what it saw). */
  record(agent: number, feed: ShownFeed): void {
    if (this.entryOf.has(agent)) return;
    const entry = this.lists.length;
    this.entryOf.set(agent, entry);
    this.grownEntries(entry + 1);
    this.agentOf[entry] = agent;
    const n = feed.ids.length;
    this.lengths[entry] = n;
    if (feed.sources === null && feed.via === null) {
      this.lists.push(feed.ids);
      return;
    }
    this.lists.push(null);
    this.grownRows(this.rows + n);
    const { ids, sources, via } = feed;
    const at = this.rows;
    for (let k = 0; k < n; k++) {
      this.ids[at + k] = ids[k]!;
      this.origins[at + k] = sources?.[k] === 'home' ? (via?.[k] ?? HOME) : RECSYS;
    }
    this.starts[entry] = at;
    this.rows += n;
  }

  /** How many posts `agent`'s recorded feed holds (0 when none was recorded). */
  lengthOf(agent: number): number {
    const entry = this.entryOf.get(agent);
    return entry === undefined ? 0 : this.lengths[entry]!;
  }

  /**
   * Marks the first `upTo` posts of `agent`'s recorded feed as shown: its impressions. Agents
   * recorded but not marked (observed by a survey only) write none; once per agent.
   */
  show(agent: number, upTo: number): void {
    const entry = this.entryOf.get(agent);
    if (entry === undefined || this.shownAt[entry] !== 0) return;
    if (this.shownCount >= this.shownEntries.length) {
      this.shownEntries = grow(this.shownEntries, this.shownCount + 1);
      this.shownLengths = grow(this.shownLengths, this.shownCount + 1);
    }
    this.shownEntries[this.shownCount] = entry;
    this.shownLengths[this.shownCount] = Math.max(0, Math.min(upTo, this.lengths[entry]!));
    this.shownAt[entry] = ++this.shownCount;
  }

  /** Agents with impressions. */
  get size(): number {
    return this.shownCount;
  }

  /** Where `agent` was shown `postId` in its feed this step, or null. */
  seenAs(agent: number, postId: number): FeedExposure | null {
    const entry = this.entryOf.get(agent);
    const at = entry === undefined ? 0 : this.shownAt[entry]!;
    if (entry === undefined || at === 0) return null;
    const n = this.shownLengths[at - 1]!;
    const list = this.lists[entry];
    if (list) {
      for (let k = 0; k < n; k++) if (list[k] === postId) return { source: 'recsys', viaPostId: postId };
      return null;
    }
    const start = this.starts[entry]!;
    for (let k = start; k < start + n; k++) {
      if (this.ids[k] !== postId) continue;
      const origin = this.origins[k]!;
      return { source: origin === RECSYS ? 'recsys' : 'home', viaPostId: origin >= 0 ? origin : postId };
    }
    return null;
  }

  /** The shown feeds that are the recommender's own lists (trimmed when only part was shown), by agent in the order shown. */
  recommenderLists(): Map<number, readonly number[]> {
    const out = new Map<number, readonly number[]>();
    this.eachShown((agent, entry, n) => {
      const list = this.lists[entry];
      if (list) out.set(agent, n === list.length ? list : list.slice(0, n));
    });
    return out;
  }

  /** Rows of the shown mixed feeds, and the longest of them. */
  mixedRows(): { readonly rows: number; readonly longest: number } {
    let rows = 0;
    let longest = 0;
    this.eachShown((_, entry, n) => {
      if (this.lists[entry]) return;
      rows += n;
      longest = Math.max(longest, n);
    });
    return { rows, longest };
  }

  /**
   * The shown mixed feeds' rows into three columns from row 0, in the order shown: the agent and
   * rank as agent × `ranks` + rank, the post id, and the origin (the via post ≥ 0, −1 for a home
   * entry without one, −2 for a recommender post).
   */
  fillPacked(keys: Float64Array, posts: Float64Array, origins: Float64Array, ranks: number): number {
    const { ids, origins: from } = this;
    let at = 0;
    // Loops, not a callback and subarray views per agent: this runs for 400,000 agents a step at a million.
    for (let i = 0; i < this.shownCount; i++) {
      const entry = this.shownEntries[i]!;
      if (this.lists[entry]) continue;
      const n = this.shownLengths[i]!;
      const start = this.starts[entry]!;
      const base = this.agentOf[entry]! * ranks;
      for (let k = 0; k < n; k++, at++) {
        keys[at] = base + k;
        posts[at] = ids[start + k]!;
        origins[at] = from[start + k]!;
      }
    }
    return at;
  }

  private eachShown(fn: (agent: number, entry: number, shown: number) => void): void {
    for (let i = 0; i < this.shownCount; i++) {
      const entry = this.shownEntries[i]!;
      fn(this.agentOf[entry]!, entry, this.shownLengths[i]!);
    }
  }

  private grownEntries(n: number): void {
    if (n <= this.starts.length) return;
    this.agentOf = grow(this.agentOf, n);
    this.starts = grow(this.starts, n);
    this.lengths = grow(this.lengths, n);
    this.shownAt = grow(this.shownAt, n);
  }

  private grownRows(n: number): void {
    if (n <= this.ids.length) return;
    this.ids = grow(this.ids, n);
    this.origins = grow(this.origins, n);
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (size: number) => T)(Math.max(n, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}
