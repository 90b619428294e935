/**
 * What the channel keeps in memory per post (issue #17, item 4: "document what each keeps in
 * memory and its bytes per post"). Adds N synthetic posts (the statistical agents' grammar,
 * 1 in 5 a repost) to each in-memory structure on its own and prints the heap each holds per
 * post, after a full GC; then likes, at 3 per post, for the per-like structures.
 *   npm run bench:post-memory            1,000,000 posts
 *   npm run bench:post-memory -- 200000
 * Needs --expose-gc, which the npm script passes.
 */
import { ChannelState, type NewPost } from '../src/channel/state.js';
import { EngagementIndex } from '../src/channel/engagement-index.js';
import { SearchIndex } from '../src/channel/search-index.js';
import { Rng } from '../src/common/rng.js';
import { composePost } from '../src/data/text-grammar.js';
import { textHash } from '../src/channel/embeddings.js';

const n = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:post-memory does)');
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

const rng = new Rng(1);
const topics = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
const authors = Math.max(1, Math.round(n / 5));
const posts: NewPost[] = Array.from({ length: n }, (_, i) => {
  const repost = i > 0 && rng.chance(0.2);
  const id = i + 1;
  return {
    author: rng.int(authors),
    kind: repost ? 'repost' : 'original',
    parentId: repost ? 1 + rng.int(i) : null,
    rootId: repost ? null : id,
    createdStep: Math.floor(i / (n / 100)),
    text: repost ? '' : composePost(rng, rng.pick(topics)),
    label: null,
  };
});
const textBytes = posts.reduce((s, p) => s + p.text.length, 0) / n;

function measure(name: string, build: () => unknown): void {
  const before = heap();
  const kept = build();
  const after = heap();
  console.log(`  ${name.padEnd(46)} ${((after - before) / n).toFixed(0).padStart(5)} B/post`);
  if (kept === undefined) throw new Error('nothing kept');
}

console.log(`\n${n.toLocaleString('en-US')} posts (${authors.toLocaleString('en-US')} authors, 100 steps, mean text ${textBytes.toFixed(0)} characters)`);
measure('ChannelState.addPost (all of the below)', () => {
  const s = new ChannelState();
  posts.forEach((p, i) => s.addPost(i + 1, p));
  return s;
});
measure('  records in the posts Map (texts counted apart)', () => {
  const m = new Map<number, NewPost & { deleted: boolean; flagged: boolean; hidden: boolean }>();
  posts.forEach((p, i) =>
    m.set(i + 1, { author: p.author, kind: p.kind, parentId: p.parentId, rootId: p.rootId, createdStep: p.createdStep, text: p.text, label: p.label, deleted: false, flagged: false, hidden: false }),
  );
  return m;
});
measure('  search index (BM25 postings, doc terms)', () => {
  const s = new SearchIndex();
  posts.forEach((p, i) => p.text !== '' && s.add(i + 1, p.text));
  return s;
});
measure('  trends index (per-step candidates, #tags)', () => {
  const s = new SearchIndex();
  posts.forEach((p, i) => p.text !== '' && s.add(i + 1, p.text));
  const e = new EngagementIndex();
  const before = heap();
  posts.forEach((p, i) => e.addPost(i + 1, p, s.tagsOf(i + 1)));
  const own = heap() - before;
  console.log(`  ${'    (engagement index alone)'.padEnd(46)} ${(own / n).toFixed(0).padStart(5)} B/post`);
  return e;
});
measure('ChannelState with a 2-step memory window', () => {
  // Evicted as a run does after each step's commit: what stays is the last two steps' posts.
  const s = new ChannelState();
  posts.forEach((p, i) => {
    if (i > 0 && p.createdStep !== posts[i - 1]!.createdStep) s.evictBefore(p.createdStep - 1);
    s.addPost(i + 1, p);
  });
  return s;
});
const likes = 3 * n;
(() => {
  const e = new EngagementIndex();
  posts.forEach((p, i) => e.addPost(i + 1, p, null));
  const before = heap();
  for (let k = 0; k < likes; k++) e.like(rng.int(authors * 5), 1 + rng.int(n), posts[Math.min(n - 1, Math.floor(k / 3))]!.createdStep);
  console.log(`  ${'likes in the trends index (per like)'.padEnd(46)} ${((heap() - before) / likes).toFixed(0).padStart(5)} B/like`);
  const s = new ChannelState();
  const b2 = heap();
  for (let k = 0; k < likes; k++) ChannelState.addTo(s.likes, rng.int(authors * 5), 1 + rng.int(n));
  console.log(`  ${'likes in the mirror (user → liked posts)'.padEnd(46)} ${((heap() - b2) / likes).toFixed(0).padStart(5)} B/like`);
  // Still in use here, so neither is collected before its heap is read.
  if (e.likes(1) < 0 || s.likesOf(0).size < 0) throw new Error('unreachable');
})();
(() => {
  // Bookmarks and reports: per mark, a user → posts map and (reports) post → users.
  const marks = n;
  const bookmarks = new Map<number, Map<number, number>>();
  const b0 = heap();
  for (let k = 0; k < marks; k++) {
    const u = rng.int(authors * 5);
    let m = bookmarks.get(u);
    if (!m) bookmarks.set(u, (m = new Map()));
    m.set(1 + rng.int(n), k % 100);
  }
  console.log(`  ${'bookmarks in the mirror (per bookmark)'.padEnd(46)} ${((heap() - b0) / marks).toFixed(0).padStart(5)} B/mark`);
  const s = new ChannelState();
  const b1 = heap();
  for (let k = 0; k < marks; k++) {
    const u = rng.int(authors * 5);
    const p = 1 + rng.int(n);
    ChannelState.addTo(s.reportsBy, u, p);
    ChannelState.addTo(s.reportsOfPost, p, u);
  }
  console.log(`  ${'reports in the mirror (both ways, per report)'.padEnd(46)} ${((heap() - b1) / marks).toFixed(0).padStart(5)} B/mark`);
  if (bookmarks.size < 0 || s.reportsBy.size < 0) throw new Error('unreachable');
})();
(() => {
  // What an embedding model's run holds per post whose vector it has: the hash the post maps to, and the vector (384 dimensions here).
  const hashOf = new Map<number, string>();
  const known = new Map<string, Float32Array>();
  const m = Math.min(n, 200_000);
  const b0 = heap();
  for (let i = 1; i <= m; i++) {
    const hash = textHash('bench', posts[i - 1]!.text + i);
    hashOf.set(i, hash);
    known.set(hash, new Float32Array(384));
  }
  console.log(`  ${'embedder: post → hash → 384-d vector'.padEnd(46)} ${((heap() - b0) / m).toFixed(0).padStart(5)} B/post`);
  if (hashOf.size + known.size < 0) throw new Error('unreachable');
})();
(() => {
  // A step's snapshot: a view and a postsById entry per candidate of the recommender's window.
  const b0 = heap();
  const views = posts.flatMap((p, i) => (p.kind === 'repost' ? [] : [{ postId: i + 1, authorId: p.author, createdStep: p.createdStep, text: p.text, label: p.label, likes: 0, reposts: 0, dislikes: 0 }]));
  const byId = new Map(views.map((v) => [v.postId, v]));
  console.log(`  ${'snapshot views + postsById (per candidate)'.padEnd(46)} ${((heap() - b0) / views.length).toFixed(0).padStart(5)} B/candidate`);
  if (byId.size < 0) throw new Error('unreachable');
})();
// The author chain is one Int32 per post id (and one per author id); a step's home timeline
// two Float64 and one Int32 per post id of the recommender's window.
console.log(`  ${'author chain (Int32Array by post id)'.padEnd(46)} ${'4'.padStart(5)} B/post (by size, not measured)`);
console.log(`  ${'home timeline (typed arrays over the window)'.padEnd(46)} ${'20'.padStart(5)} B/post (by size, not measured)`);
// V8 keeps Latin-1 text at a byte a character (two for other text) after a 16-byte header.
console.log(`  ${'texts (one-byte strings of the mean length)'.padEnd(46)} ${(16 + textBytes).toFixed(0).padStart(5)} B/post (by size, not measured)`);
