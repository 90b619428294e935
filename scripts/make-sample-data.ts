/**
 * Writes the small sample dataset in data/sample/: every file shape the loaders read, shaped
 * like real exports (Twitter-style column names in the CSVs, canonical names in the JSONL,
 * ids past 2^53, quoted text with commas, quotes and line breaks), and the OASIS-shaped users
 * file and cascade (oasis-sample.ts). Deterministic: running it again gives the same bytes.
 *   npx tsx scripts/make-sample-data.ts [out-dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/common/rng.js';
import { generateFollowGraph } from '../src/data/follow-graph.js';
import { generatePersonas, type Persona } from '../src/data/personas.js';
import { composePost, composeReply } from '../src/data/text-grammar.js';
import { writeOasisSample } from './oasis-sample.js';

const SEED = 2024;
const USERS = 300;
const POSTS = 2000;
const CASCADES = 20;
const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
/** 2024-01-01T00:00:00Z: posts fall in the month after it. */
const START_S = 1_704_067_200;
const LOCATIONS = ['Lisbon', 'Lagos', 'Osaka', 'Toronto', 'Berlin, Germany', 'São Paulo', '', 'Nairobi', 'Austin, TX'];

const out = process.argv[2] ?? fileURLToPath(new URL('../data/sample', import.meta.url));

/** Twitter-like snowflake ids: 19 digits, past 2^53, so they must stay text. */
const userId = (i: number): string => (1_200_000_000_000_000_000n + BigInt(i) * 7_919_000_001n).toString();
const postId = (i: number): string => (1_740_000_000_000_000_000n + BigInt(i) * 104_729_000_003n).toString();

function csvCell(v: string | number | boolean | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: readonly string[], rows: readonly (readonly (string | number | boolean | undefined)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function jsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

function users(personas: readonly Persona[], inDegree: readonly number[]): { csv: string; jsonl: string } {
  const rows = personas.map((p, i) => {
    const rng = Rng.derive(SEED, 'sample-user', i);
    // Some bios quote or break lines, as real ones do; the CSV must quote them.
    const bio = i % 17 === 0 ? `${p.bio}\nDMs open, "hot takes" only.` : i % 11 === 0 ? `${p.bio} Views mine, not my employer's.` : p.bio;
    const created = START_S - 86_400 * (30 + rng.int(4000));
    return { p, bio, created, location: rng.pick(LOCATIONS), verified: rng.chance(0.03), following: 20 + rng.int(800), followers: inDegree[i] as number };
  });
  return {
    csv: csv(
      ['user_id', 'screen_name', 'name', 'description', 'created_at', 'followers_count', 'friends_count', 'location', 'verified'],
      rows.map((r, i) => [userId(i), r.p.username, r.p.name, r.bio, iso(r.created), r.followers, r.following, r.location, r.verified]),
    ),
    jsonl: jsonl(
      rows.map((r, i) => ({
        id: userId(i),
        username: r.p.username,
        name: r.p.name,
        bio: r.bio,
        created_at: r.created,
        followers_count: r.followers,
        following_count: r.following,
        interests: r.p.interests,
        age_band: r.p.ageBand,
        location: r.location || null,
      })),
    ),
  };
}

interface SamplePost {
  id: string;
  author: string;
  text: string;
  time: number;
  parent?: string;
  kind: 'original' | 'repost' | 'quote' | 'comment';
}

/**
 * Originals, then reactions to earlier posts (popular ones more often), in time order. The CSV has no
 * kind column, so its quotes read back as comments (the loader's default for a reply with text).
 */
function posts(personas: readonly Persona[]): SamplePost[] {
  const list: SamplePost[] = [];
  const weight: number[] = [];
  let total = 0;
  let t = START_S;
  for (let i = 0; i < POSTS; i++) {
    const rng = Rng.derive(SEED, 'sample-post', i);
    t += 1 + rng.int(1300);
    const author = rng.int(personas.length);
    const p = personas[author] as Persona;
    const topic = rng.pick(p.interests);
    const r = rng.next();
    let parent: number | undefined;
    if (list.length > 0 && r < 0.45) {
      let target = rng.next() * total;
      parent = weight.findIndex((w) => (target -= w) < 0);
      if (parent < 0) parent = list.length - 1;
    }
    const kind = parent === undefined ? 'original' : r < 0.25 ? 'repost' : r < 0.38 ? 'comment' : 'quote';
    const text = kind === 'repost' ? '' : kind === 'original' ? composePost(rng, topic) : composeReply(rng, topic);
    list.push({ id: postId(i), author: userId(author), text: i % 97 === 0 && text ? `${text}\n(edited, "typo")` : text, time: t, parent: parent === undefined ? undefined : list[parent]!.id, kind });
    weight.push(1);
    total += 1;
    if (parent !== undefined) {
      weight[parent] = (weight[parent] as number) + 1;
      total += 1;
    }
  }
  return list;
}

/**
 * Twitter15/16-style trees: a source post (an original of the posts file, so a run can pair the
 * tree with that post's simulated cascade) and its author, then users reached, each from one
 * already reached.
 */
function cascades(ps: readonly SamplePost[]): (string | number)[][] {
  const originals = ps.filter((p) => p.kind === 'original' && p.text.trim() !== '');
  const indexOf = new Map(Array.from({ length: USERS }, (_, i) => [userId(i), i]));
  const rows: (string | number)[][] = [];
  for (let c = 0; c < CASCADES; c++) {
    const rng = Rng.derive(SEED, 'sample-cascade', c);
    const size = 3 + Math.floor(Math.pow(1 - rng.next(), -1 / 1.2)) * 4;
    const source = rng.pick(originals);
    const root = indexOf.get(source.author) as number;
    const others = rng.sample(Array.from({ length: USERS }, (_, i) => i).filter((i) => i !== root), Math.min(USERS - 1, size - 1));
    const id = `c${String(c).padStart(3, '0')}`;
    const reached: { user: number; delay: number; fans: number }[] = [{ user: root, delay: 0, fans: 1 }];
    rows.push([id, userId(root), '', 0, source.id]);
    for (const u of others) {
      // Preferential choice of parent: big spreaders spread more.
      let target = rng.next() * reached.reduce((s, n) => s + n.fans, 0);
      const from = reached.find((n) => (target -= n.fans) < 0) ?? reached[0]!;
      from.fans++;
      const delay = Math.round((from.delay + 30 + 3600 * -Math.log(1 - rng.next()) * 0.5) * 10) / 10;
      reached.push({ user: u, delay, fans: 1 });
      rows.push([id, userId(u), userId(from.user), delay, source.id]);
    }
  }
  return rows;
}

function main(): void {
  mkdirSync(out, { recursive: true });
  const gen = { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 12, homophily: 0.7, initial_posts_per_agent: 0, stance_topics: ['politics'], polarization: 0.7 };
  const personas = generatePersonas(SEED, [{ name: 'sample', count: USERS, model: 'none', personas: 'generated', activity: 0.2 }], gen);
  const edges = generateFollowGraph(SEED, personas, gen.follows_per_agent, gen.homophily, { model: 'preferential', attachmentOffset: 2 });
  const inDegree = new Array<number>(USERS).fill(0);
  for (const [, b] of edges) inDegree[b] = (inDegree[b] as number) + 1;

  const u = users(personas, inDegree);
  writeFileSync(join(out, 'users.csv'), u.csv);
  writeFileSync(join(out, 'users.jsonl'), u.jsonl);
  writeFileSync(join(out, 'follows.csv'), csv(['src', 'dst'], edges.map(([a, b]) => [userId(a), userId(b)])));
  const ps = posts(personas);
  writeFileSync(
    join(out, 'posts.csv'),
    csv(['tweet_id', 'user_id', 'text', 'created_at', 'parent_id'], ps.map((p) => [p.id, p.author, p.text, p.time, p.parent])),
  );
  writeFileSync(join(out, 'posts.jsonl'), jsonl(ps.map((p) => ({ id: p.id, author: p.author, text: p.text, time: iso(p.time), parent: p.parent ?? null, kind: p.kind }))));
  writeFileSync(join(out, 'cascades.csv'), csv(['cascade', 'user', 'parent', 'delay', 'source_post'], cascades(ps)));
  console.log(`wrote ${USERS} users, ${edges.length} follows, ${ps.length} posts, ${CASCADES} cascades to ${out}`);
  const o = writeOasisSample(out);
  const trees = o.cascades.map((c) => `${c.id} ${c.nodes} nodes over ${(c.spanS / 3600).toFixed(1)} h`).join(', ');
  console.log(`wrote the OASIS-shaped sample: ${o.users} users (${o.follows} follows listed, ${o.previousTweets} previous tweets), ${o.cascades.length} cascades: ${trees}`);
}

main();
