import { readFileSync } from 'node:fs';
import { BEFORE_RUN, describeNotification } from '../../channel/notifications.js';
import type { WirePost, WireRequest } from './wire.js';

/** Built-in templates; a model's `prompts: { system, user }` files replace them. */
export const DEFAULT_SYSTEM_TEMPLATE = `You are {{name}} (@{{username}}), a user of a Twitter-like social network.
About you: {{bio}}
You care about: {{interests}}.

Each turn you see your feed and what happened since your last turn. Then act as this person
would: like or repost posts, follow people, write a post of your own (at most 280 characters),
unlike or unfollow, or do nothing. Use post ids and user ids exactly as shown.`;

export const DEFAULT_USER_TEMPLATE = `It is {{sim_time}}.

Since your last turn:
{{notifications}}

Your recent actions:
{{memory}}

Your feed:
{{feed}}

What do you do now?`;

export interface Templates {
  readonly system: string;
  readonly user: string;
}

export function loadTemplates(paths: { readonly system?: string; readonly user?: string }): Templates {
  return {
    system: paths.system ? readFileSync(paths.system, 'utf8') : DEFAULT_SYSTEM_TEMPLATE,
    user: paths.user ? readFileSync(paths.user, 'utf8') : DEFAULT_USER_TEMPLATE,
  };
}

/** `{{key}}` → vars[key]; unknown keys stay as written so a typo shows in the prompt. */
export function render(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) => vars[key] ?? whole);
}

export function postLine(p: WirePost): string {
  const marks = [p.likedByMe ? 'you liked it' : '', p.repostedByMe ? 'you reposted it' : '', p.followingAuthor ? 'you follow the author' : '']
    .filter(Boolean)
    .join(', ');
  const dislikes = p.dislikes === undefined ? '' : `, ${p.dislikes} dislike${p.dislikes === 1 ? '' : 's'}`;
  const counts = `${p.likes} like${p.likes === 1 ? '' : 's'}${dislikes}, ${p.reposts} repost${p.reposts === 1 ? '' : 's'}`;
  const shared = p.sharedBy !== undefined ? ` · reposted by @${p.sharedBy}, whom you follow` : '';
  return `[post ${p.postId}] @${p.author} (user ${p.authorId}) · ${counts}${marks ? ` · ${marks}` : ''}${shared}\n  ${p.text.replace(/\s*\n\s*/g, ' ')}`;
}

export function promptVars(r: WireRequest): Record<string, string> {
  const notifications = r.notifications.map(describeNotification);
  const memory = r.memory.map((m) => `- ${m.step === BEFORE_RUN ? 'before the run' : `step ${m.step}`}: ${m.action} ${m.args}${m.ok ? '' : ` (failed: ${m.error})`}`);
  return {
    name: r.name,
    username: r.username,
    // A real account's character description (OASIS's user_char) follows its bio.
    bio: r.character ? (r.bio.trim() ? `${r.bio}\n${r.character}` : r.character) : r.bio || '(no bio)',
    character: r.character ?? '',
    interests: r.interests.join(', ') || 'nothing in particular',
    sim_time: r.simTime,
    notifications: notifications.length > 0 ? notifications.join('\n') : '(nothing new)',
    memory: memory.length > 0 ? memory.join('\n') : '(none yet)',
    feed: feedText(r),
  };
}

/** The feed, or in browse mode its first page with how to go on. */
function feedText(r: WireRequest): string {
  if (r.feed.length === 0) return r.browse ? '(your feed is empty; call exit_feed with a rating when you are done)' : '(your feed is empty)';
  if (!r.browse) return r.feed.map(postLine).join('\n');
  return `${pagePrompt(r, 0)}`;
}

/** Page `page` (0-based) of a browse-mode feed, with what the agent may do next. */
export function pagePrompt(r: WireRequest, page: number): string {
  const { pageSize, maxPages } = r.browse ?? { pageSize: r.feed.length, maxPages: 1 };
  const posts = r.feed.slice(page * pageSize, (page + 1) * pageSize);
  const more = r.feed.length > (page + 1) * pageSize && page + 1 < maxPages;
  return [
    `Page ${page + 1} of your feed:`,
    posts.length > 0 ? posts.map(postLine).join('\n') : '(no more posts)',
    `Call view_post to open a post before reacting to it. ${more ? 'Call next_page for the next page, or ' : 'This is the last page: '}call exit_feed with how satisfied you are with your feed (1-10) when you stop reading.`,
  ].join('\n');
}
