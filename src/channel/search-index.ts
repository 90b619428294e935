/**
 * An in-memory inverted index for BM25 search, kept in step with the channel's mirror: a
 * document is added when it is created and dropped when it leaves search (deleted, flagged,
 * hidden). It is rebuilt from the posts/users tables on load, so a resumed run ranks alike.
 */

const K1 = 1.2;
const B = 0.75;

/** Lower-case words, plus every `#tag` as its own token next to its word. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/(#?)([\p{L}\p{N}_]+)/gu)) {
    const word = m[2] as string;
    out.push(word);
    if (m[1] === '#') out.push(`#${word}`);
  }
  return out;
}

/** The distinct `#tags` of a text, lower-case, in order of first appearance. */
export function hashtags(text: string): string[] {
  return [...new Set(tokenize(text).filter((t) => t.startsWith('#')))];
}

export class SearchIndex {
  /** token → doc → term frequency. */
  private readonly postings = new Map<string, Map<number, number>>();
  /** doc → its distinct tokens (to drop it) and its length in tokens. */
  private readonly docs = new Map<number, { tokens: readonly string[]; length: number }>();
  private totalLength = 0;

  get size(): number {
    return this.docs.size;
  }

  has(doc: number): boolean {
    return this.docs.has(doc);
  }

  /** The document's distinct `#tags` (as `hashtags` gives them), or null when it is not indexed. */
  tagsOf(doc: number): string[] | null {
    const d = this.docs.get(doc);
    return d ? d.tokens.filter((t) => t.startsWith('#')) : null;
  }

  add(doc: number, text: string): void {
    if (this.docs.has(doc)) this.remove(doc);
    const tokens = tokenize(text);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      let list = this.postings.get(t);
      if (!list) this.postings.set(t, (list = new Map()));
      list.set(doc, n);
    }
    this.docs.set(doc, { tokens: [...tf.keys()], length: tokens.length });
    this.totalLength += tokens.length;
  }

  remove(doc: number): void {
    const d = this.docs.get(doc);
    if (!d) return;
    for (const t of d.tokens) {
      const list = this.postings.get(t);
      list?.delete(doc);
      if (list && list.size === 0) this.postings.delete(t);
    }
    this.docs.delete(doc);
    this.totalLength -= d.length;
  }

  /**
   * Documents matching any query token, by BM25 score (k1 1.2, b 0.75), best first; ties go
   * to the higher (newer) id. `keep` filters documents before the limit is applied.
   */
  search(query: string, limit: number, keep: (doc: number) => boolean): number[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.size;
    if (n === 0 || terms.length === 0) return [];
    const avgdl = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const t of terms) {
      const list = this.postings.get(t);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      for (const [doc, tf] of list) {
        const len = this.docs.get(doc)?.length ?? 0;
        const s = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avgdl));
        scores.set(doc, (scores.get(doc) ?? 0) + s);
      }
    }
    return [...scores]
      .filter(([doc]) => keep(doc))
      .sort((a, b) => b[1] - a[1] || b[0] - a[0])
      .slice(0, limit)
      .map(([doc]) => doc);
  }
}
