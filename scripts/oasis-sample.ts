/**
 * The OASIS-shaped part of data/sample/ (called by make-sample-data.ts): a users file in the
 * shape of OASIS's user_all_id_time.csv, written the way pandas writes it (a leading unnamed
 * index column, lists as Python literals), and eight rumour cascades, each starting from one
 * user's first previous tweet and spreading mostly along the follow lists, of varied size and
 * speed (enough paired cascades for `socialsim calibrate` to hold some out). Deterministic.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/common/rng.js';
import { generateFollowGraph } from '../src/data/follow-graph.js';
import { generatePersonas, type Persona } from '../src/data/personas.js';
import { composePost } from '../src/data/text-grammar.js';

const SEED = 2025;
export const OASIS_USERS = 110;
const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
/** Row whose cell is OASIS's bare `0` ("follows nobody"). */
const FOLLOWS_NOBODY = 109;
/** Rows that have never posted: an all-zero activity profile and no previous tweets. */
const NEVER_POSTED = new Set([42, 87]);
/** Share of users who follow the rumour's source (a local news-ish account). */
const SOURCE_REACH = 0.45;
const HORIZON_S = 8 * 3600;

/** A rumour: its source (a row whose first previous tweet it replaces) and how it spreads. */
interface Rumour {
  readonly id: string;
  readonly row: number;
  readonly text: string;
  /** Lag from parent to child: lognormal around this median (seconds), with this sigma... */
  readonly lagMedianS: number;
  readonly lagSigma: number;
  /** ...and interest in the rumour fades with this time constant (seconds). */
  readonly fadeS: number;
  /** Scales every user's credulity: how catchy the rumour is. */
  readonly takeUp: number;
  /** Chance a reached user also reaches one random account outside its followers (search, trends). */
  readonly outOfNetwork: number;
}

/**
 * The first is the original sample's rumour (same file rows as before); the others start from
 * well-followed accounts, fast and viral to slow and small.
 */
const RUMOURS: readonly Rumour[] = [
  {
    id: 'water_rumour',
    row: 0,
    text: "BREAKING: a friend at the water board says the city's tap water is contaminated, don't drink it until further notice. Officials \"will confirm tomorrow\". Share! #health",
    lagMedianS: 900,
    lagSigma: 1.4,
    fadeS: 3 * 3600,
    takeUp: 0.8,
    outOfNetwork: 0.2,
  },
  {
    id: 'towers_rumour',
    row: 72,
    text: "The new 5G towers downtown are making people sick, my neighbour's whole street got headaches the day they were switched on. Spread the word #health #tech",
    lagMedianS: 300,
    lagSigma: 1.0,
    fadeS: 1.5 * 3600,
    takeUp: 0.9,
    outOfNetwork: 0.3,
  },
  {
    id: 'stadium_rumour',
    row: 33,
    text: "Heard from someone at the stadium: tonight's final is being called off over a threat, police aren't saying anything yet #sports",
    lagMedianS: 2400,
    lagSigma: 1.2,
    fadeS: 5 * 3600,
    takeUp: 0.6,
    outOfNetwork: 0.1,
  },
  {
    id: 'bank_rumour',
    row: 70,
    text: 'Leaked memo: the central bank will freeze withdrawals over 500 from Monday. Get your cash out now! #finance',
    lagMedianS: 600,
    lagSigma: 1.3,
    fadeS: 2 * 3600,
    takeUp: 0.35,
    outOfNetwork: 0.1,
  },
  {
    id: 'heatwave_rumour',
    row: 100,
    text: 'The heatwave is fake: the weather service moved its thermometers to hit records, a retired meteorologist told me #climate',
    lagMedianS: 1200,
    lagSigma: 1.5,
    fadeS: 4 * 3600,
    takeUp: 0.7,
    outOfNetwork: 0.2,
  },
  {
    id: 'airport_rumour',
    row: 28,
    text: "Every flight out of the airport is grounded tomorrow because of a 'software attack', my cousin works there #travel #tech",
    lagMedianS: 450,
    lagSigma: 0.9,
    fadeS: 1 * 3600,
    takeUp: 0.6,
    outOfNetwork: 0.15,
  },
  {
    id: 'singer_rumour',
    row: 43,
    text: 'A famous singer died this morning, the family will announce it tonight. RIP #music',
    lagMedianS: 240,
    lagSigma: 1.1,
    fadeS: 0.75 * 3600,
    takeUp: 0.5,
    outOfNetwork: 0.25,
  },
  {
    id: 'lemon_rumour',
    row: 39,
    text: 'Scientists confirm lemon water every morning cures diabetes, doctors hate it #science #health',
    lagMedianS: 1800,
    lagSigma: 1.0,
    fadeS: 6 * 3600,
    takeUp: 0.45,
    outOfNetwork: 0.05,
  },
];

const userId = (i: number): string => (1_300_000_000_000_000_000n + BigInt(i) * 6_700_417_003n).toString();

/** How Python's repr() writes a str: single quotes unless it holds ' and no ", escapes as Python's. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

const pyList = (items: readonly (string | number)[]): string => `[${items.map((x) => (typeof x === 'string' ? pyRepr(x) : String(x))).join(', ')}]`;

/** A cell as pandas' to_csv writes it: quoted when it holds a comma, quote or line break. */
function cell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const TRAITS = ['curious', 'cautious', 'outspoken', 'sarcastic', 'warm', 'impatient', 'methodical', 'easily excited', 'private', 'chatty'];
const JOBS = ['nurse', 'student', 'bus driver', 'software developer', 'teacher', 'retired engineer', 'barista', 'journalist', 'accountant', 'shop owner', 'paramedic', 'PhD candidate'];
const SHARING = [
  'share breaking news quickly, often before checking it',
  'rarely repost anything without reading the source first',
  'repost what friends post, especially if it sounds urgent',
  'mostly lurk and only post about your own interests',
  'like to correct misinformation in replies',
];
/** Chance a user passes the rumour on when it reaches them, by their SHARING habit. */
const CREDULITY = [0.55, 0.08, 0.45, 0.15, 0.12];

/** Free-text character (OASIS's user_char), in the second person as OASIS's files have it. */
function character(rng: Rng, p: Persona): { text: string; credulity: number } {
  const [a, b] = rng.sample(TRAITS, 2);
  const share = rng.int(SHARING.length);
  const text =
    `You are ${p.name}, ${/^[aeiou]/.test(a!) ? 'an' : 'a'} ${a} and ${b} ${rng.pick(JOBS)} aged ${p.ageBand ?? '25-34'}. ` +
    `You care about ${p.interests.join(' and ')}. You ${SHARING[share]}.`;
  return { text, credulity: CREDULITY[share]! };
}

/** Relative tweet volume by UTC hour: quiet nights, a lunch bump, an evening peak. */
const DIURNAL = [0.5, 0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.7, 0.9, 1.0, 1.0, 1.1, 1.3, 1.2, 1.1, 1.1, 1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.2, 0.8];

/** Counts of past tweets per UTC hour: the diurnal shape shifted by the user's chronotype, a heavy-tailed total. */
function activity(rng: Rng, never: boolean): number[] {
  const counts = new Array<number>(24).fill(0);
  if (never) return counts;
  const shift = Math.round(rng.normal() * 2.5);
  const weights = DIURNAL.map((_, h) => DIURNAL[(((h - shift) % 24) + 24) % 24]! * (0.6 + 0.8 * rng.next()));
  const sum = weights.reduce((x, y) => x + y, 0);
  const total = Math.max(3, Math.round(Math.exp(3.6 + 1.1 * rng.normal())));
  for (let k = 0; k < total; k++) {
    let t = rng.next() * sum;
    const h = weights.findIndex((w) => (t -= w) < 0);
    counts[h < 0 ? 23 : h]! += 1;
  }
  return counts;
}

const FLAVOURS = [
  (t: string): string => t,
  (t: string): string => `Can't stop thinking: ${t}`,
  (t: string): string => `${t} (my friend said "no way", lol)`,
  (t: string): string => `${t}\nback later`,
  (t: string): string => `Don't @ me, but ${t.charAt(0).toLowerCase()}${t.slice(1)}`,
];

function previousTweets(rng: Rng, p: Persona, row: number): string[] {
  if (NEVER_POSTED.has(row)) return [];
  const n = row === 0 ? 3 : rng.int(5);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(rng.pick(FLAVOURS)(composePost(rng, rng.pick(p.interests))));
  const rumour = RUMOURS.find((r) => r.row === row);
  if (rumour) out[0] = rumour.text;
  return out;
}

/** `2019-03-04 12:33:10+00:00`, as pandas writes a UTC timestamp. */
function pandasTime(s: number): string {
  return new Date(s * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+00:00');
}

/** Row → the rows it follows: a preferential graph, plus many follows of the source account (row 0). */
function followLists(personas: readonly Persona[]): number[][] {
  const lists = personas.map(() => new Set<number>());
  for (const [a, b] of generateFollowGraph(SEED, personas, 7, 0.6, { model: 'preferential', attachmentOffset: 2 })) lists[a]!.add(b);
  for (let i = 1; i < personas.length; i++) if (Rng.derive(SEED, 'oasis-source-follow', i).chance(SOURCE_REACH)) lists[i]!.add(0);
  lists[FOLLOWS_NOBODY]!.clear();
  return lists.map((s) => [...s].sort((x, y) => x - y));
}

interface Reached {
  readonly row: number;
  readonly parent: number | undefined;
  readonly delay: number;
}

/**
 * An independent-cascade spread from the rumour's row at time 0: each reached user exposes its
 * followers (via the follow lists), who pass it on with their credulity, fading with time, after
 * a lognormal lag; a few reach someone outside their followers (search, trends). The earliest
 * exposure that takes is a user's parent. Events past the horizon are dropped.
 */
function cascade(lists: readonly number[][], credulity: readonly number[], r: Rumour): Reached[] {
  const followers = lists.map(() => [] as number[]);
  lists.forEach((follows, u) => follows.forEach((v) => followers[v]!.push(u)));
  // The first rumour keeps the original sample's stream, so its cascade is the one it was.
  const rng = r.row === 0 ? Rng.derive(SEED, 'oasis-cascade') : Rng.derive(SEED, 'oasis-cascade', r.id);
  const queue: Reached[] = [{ row: r.row, parent: undefined, delay: 0 }];
  const reached = new Map<number, Reached>();
  while (queue.length > 0) {
    queue.sort((a, b) => a.delay - b.delay || a.row - b.row);
    const next = queue.shift()!;
    if (reached.has(next.row)) continue;
    reached.set(next.row, next);
    const fade = Math.exp(-next.delay / r.fadeS);
    const expose = (v: number): void => {
      if (reached.has(v) || !rng.chance(r.takeUp * (credulity[v] as number) * fade)) return;
      const delay = Math.round(next.delay + r.lagMedianS * Math.exp(r.lagSigma * rng.normal()));
      if (delay <= HORIZON_S) queue.push({ row: v, parent: next.row, delay });
    };
    for (const v of followers[next.row]!) expose(v);
    if (rng.chance(r.outOfNetwork)) expose(rng.int(lists.length));
  }
  return [...reached.values()].sort((a, b) => a.delay - b.delay || a.row - b.row);
}

export interface OasisSampleStats {
  readonly users: number;
  readonly follows: number;
  readonly previousTweets: number;
  /** Per cascade, in file order: its id, nodes and the delay of its last node. */
  readonly cascades: readonly { readonly id: string; readonly nodes: number; readonly spanS: number }[];
}

/** Writes oasis_users.csv and oasis_cascade.csv into `out`. */
export function writeOasisSample(out: string): OasisSampleStats {
  const gen = { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 7, homophily: 0.6, initial_posts_per_agent: 0 };
  const personas = generatePersonas(SEED, [{ name: 'oasis', count: OASIS_USERS, model: 'none', personas: 'generated', activity: 0.2 }], gen);
  const lists = followLists(personas);
  const credulity: number[] = [];
  const rows: string[] = [',user_id,name,username,following_agentid_list,previous_tweets,user_char,description,created_at,activity_level_frequency'];
  let tweets = 0;
  personas.forEach((p, i) => {
    const rng = Rng.derive(SEED, 'oasis-user', i);
    const who = character(rng, p);
    // The source is an account that shares news fast; everyone else as drawn.
    credulity.push(i === 0 ? 1 : who.credulity);
    const posted = previousTweets(rng, p, i);
    tweets += posted.length;
    const created = 1_230_768_000 + rng.int(10 * 365) * 86_400 + rng.int(86_400);
    const following = i === FOLLOWS_NOBODY ? '0' : pyList(lists[i]!);
    rows.push([i, userId(i), p.name, p.username, following, pyList(posted), who.text, p.bio, pandasTime(created), pyList(activity(rng, NEVER_POSTED.has(i)))].map(cell).join(','));
  });
  writeFileSync(join(out, 'oasis_users.csv'), rows.join('\n') + '\n');

  const cascadeRows: string[] = [];
  const cascades = RUMOURS.map((r) => {
    const nodes = cascade(lists, credulity, r);
    const source = `${userId(r.row)}#0`;
    for (const n of nodes) cascadeRows.push([r.id, userId(n.row), n.parent === undefined ? '' : userId(n.parent), n.delay, source].map(cell).join(','));
    return { id: r.id, nodes: nodes.length, spanS: nodes.at(-1)?.delay ?? 0 };
  });
  writeFileSync(join(out, 'oasis_cascade.csv'), ['cascade,user,parent,delay,source_post', ...cascadeRows].join('\n') + '\n');
  return {
    users: personas.length,
    follows: lists.reduce((s, l) => s + l.length, 0),
    previousTweets: tweets,
    cascades,
  };
}
