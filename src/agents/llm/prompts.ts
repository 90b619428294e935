import { readFileSync } from 'node:fs';
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

function postLine(p: WirePost): string {
  const marks = [p.likedByMe ? 'you liked it' : '', p.repostedByMe ? 'you reposted it' : '', p.followingAuthor ? 'you follow the author' : '']
    .filter(Boolean)
    .join(', ');
  const counts = `${p.likes} like${p.likes === 1 ? '' : 's'}, ${p.reposts} repost${p.reposts === 1 ? '' : 's'}`;
  return `[post ${p.postId}] @${p.author} (user ${p.authorId}) · ${counts}${marks ? ` · ${marks}` : ''}\n  ${p.text.replace(/\s*\n\s*/g, ' ')}`;
}

export function promptVars(r: WireRequest): Record<string, string> {
  const notifications = r.notifications.map((n) =>
    n.kind === 'follow' ? `- @${n.fromUsername} (user ${n.fromUser}) followed you` : `- @${n.fromUsername} (user ${n.fromUser}) ${n.kind === 'like' ? 'liked' : 'reposted'} your post ${n.postId}`,
  );
  const memory = r.memory.map((m) => `- step ${m.step}: ${m.action} ${m.args}${m.ok ? '' : ` (failed: ${m.error})`}`);
  return {
    name: r.name,
    username: r.username,
    bio: r.bio || '(no bio)',
    interests: r.interests.join(', ') || 'nothing in particular',
    sim_time: r.simTime,
    notifications: notifications.length > 0 ? notifications.join('\n') : '(nothing new)',
    memory: memory.length > 0 ? memory.join('\n') : '(none yet)',
    feed: r.feed.length > 0 ? r.feed.map(postLine).join('\n') : '(your feed is empty)',
  };
}
