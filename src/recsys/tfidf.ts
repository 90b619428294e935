import type { PostView } from '../channel/snapshot.js';
import { tokenize } from '../channel/search-index.js';

/**
 * TF-IDF text vectors for the content-based recommenders (interest, and twitter's
 * out-of-network half). Tokens are those of the search index: lower-case words, and every
 * `#tag` both as its word and as `#tag`, so a bio saying "climate" meets posts tagged #climate.
 *
 * Weights: (1 + ln tf) · ln((1 + N) / (1 + df)) over the refresh's N candidates, then L2
 * normalised, so a dot product is a cosine. A term in every candidate weighs 0, which is
 * what keeps "the" and "is" from matching everything without a stop-word list.
 */

/** A text's distinct terms and counts, [term, count, term, count, …], in order of first appearance. */
export type Bag = Int32Array;

/** Every candidate's bag in one array: candidate i's is data[start[i] .. start[i + 1]). */
export interface Bags {
  readonly start: Int32Array;
  readonly data: Int32Array;
}

/** Sublinear term frequency: the tenth "climate" in a text adds less than the second. */
export function tfWeight(count: number): number {
  return count > 0 ? 1 + Math.log(count) : 0;
}

/** Smoothed inverse document frequency; 0 for a term in every document (or in none). */
export function idfWeight(documents: number, df: number): number {
  return df > 0 ? Math.log((1 + documents) / (1 + df)) : 0;
}

interface CachedBag {
  readonly text: string;
  readonly bag: Bag;
}

/**
 * Term ids and the bags of texts, kept across refreshes: a post's text never changes, so a
 * refresh only tokenizes the posts that entered the window since the last one. Term ids
 * depend on the order texts were seen, so nothing downstream orders or sums by term id:
 * bags keep first-appearance order and ties between terms go by `key`, a hash of the term
 * itself, so a resumed run (fresh vocabulary) ranks like an uninterrupted one.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly keys: number[] = [];
  /** Post id → its text's bag and the refresh that last used it. */
  private readonly posts = new Map<number, { readonly text: string; readonly bag: Bag; usedAt: number }>();
  private readonly profiles = new Map<number, CachedBag>();
  private refreshes = 0;

  get size(): number {
    return this.names.length;
  }

  name(term: number): string {
    return this.names[term]!;
  }

  /** A 53-bit hash of the term's text. */
  key(term: number): number {
    return this.keys[term]!;
  }

  bagOf(text: string): Bag {
    const counts = new Map<number, number>();
    for (const token of tokenize(text)) {
      let id = this.ids.get(token);
      if (id === undefined) {
        id = this.names.length;
        this.ids.set(token, id);
        this.names.push(token);
        this.keys.push(textKey(token));
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const bag = new Int32Array(counts.size * 2);
    let i = 0;
    for (const [term, n] of counts) {
      bag[i++] = term;
      bag[i++] = n;
    }
    return bag;
  }

  /** The bag of a user's profile, tokenized again only when the profile changed. */
  profileBag(user: number, text: string): Bag {
    const old = this.profiles.get(user);
    if (old && old.text === text) return old.bag;
    const bag = this.bagOf(text);
    this.profiles.set(user, { text, bag });
    return bag;
  }

  /** The bags of `posts`, in their order; forgets posts no longer among them. */
  bagsOf(posts: readonly PostView[]): Bags {
    const refresh = ++this.refreshes;
    const start = new Int32Array(posts.length + 1);
    const bags: Bag[] = [];
    posts.forEach((p, i) => {
      let entry = this.posts.get(p.postId);
      if (!entry || entry.text !== p.text) this.posts.set(p.postId, (entry = { text: p.text, bag: this.bagOf(p.text), usedAt: refresh }));
      entry.usedAt = refresh;
      bags.push(entry.bag);
      start[i + 1] = start[i]! + entry.bag.length;
    });
    if (this.posts.size > posts.length) for (const [id, entry] of this.posts) if (entry.usedAt !== refresh) this.posts.delete(id);
    // One flat array: queries read many posts' bags, and scattered small arrays cost cache misses.
    const data = new Int32Array(start[posts.length]!);
    bags.forEach((bag, i) => data.set(bag, start[i]!));
    return { start, data };
  }
}

/** Two 32-bit FNV-1a variants folded into a 53-bit integer (exact in a double). */
function textKey(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
