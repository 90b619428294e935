import { hashtagsOf, topicTag } from '../data/text-grammar.js';

/**
 * A post's interest tags as the statistical policy compares them: one number when it carries at
 * most one tag that is someone's interest (−1 for none), the common case, else their list. A
 * number is read from its cache entry without reaching another object: the policy reads the
 * tags of every post of every active agent's feed, millions a step at a million agents.
 */
export type PostTags = number | readonly number[];

/**
 * Hashtags numbered as agents' interests are first met, and each post's tags kept as the
 * numbers of those that are someone's interest (no other can match). Numbers, not strings:
 * comparing the strings was a tenth of a million agents' decisions.
 */
export class InterestTags {
  private readonly ids = new Map<string, number>();
  /** An interest as personas write it → its tag's number (topicTag is a regular expression per call). */
  private readonly ofInterest = new Map<string, number>();
  // Two generations: tags of posts seen this step and the last. Posts that left every feed drop
  // out, so the cache stays the size of the candidate window, not of the run.
  private now = new Map<number, PostTags>();
  private before = new Map<number, PostTags>();
  private step = -1;

  /** Called with each decision's step: a new step makes this one's posts the older generation. */
  atStep(step: number): void {
    if (step === this.step) return;
    this.before = this.now;
    this.now = new Map();
    this.step = step;
  }

  /** The number of an interest's tag, numbered when first met. */
  interest(interest: string): number {
    let id = this.ofInterest.get(interest);
    if (id === undefined) {
      const tag = topicTag(interest);
      id = this.ids.get(tag);
      if (id === undefined) {
        this.ids.set(tag, (id = this.ids.size));
        // Cached post tags were read without this interest: read again when next seen.
        this.now.clear();
        this.before.clear();
      }
      this.ofInterest.set(interest, id);
    }
    return id;
  }

  ofPost(postId: number, text: string): PostTags {
    let t = this.now.get(postId);
    if (t === undefined) {
      t = this.before.get(postId) ?? this.read(text);
      this.now.set(postId, t);
    }
    return t;
  }

  private read(text: string): PostTags {
    const out: number[] = [];
    for (const tag of hashtagsOf(text)) {
      const id = this.ids.get(tag);
      if (id !== undefined) out.push(id);
    }
    return out.length === 0 ? -1 : out.length === 1 ? out[0]! : out;
  }
}

/** Whether the post's tags hold `interest`. */
export function carries(tags: PostTags, interest: number): boolean {
  return typeof tags === 'number' ? tags === interest : tags.includes(interest);
}

/** How many of `interests` the post's tags hold (an interest listed twice counts twice). */
export function matchCount(tags: PostTags, interests: readonly number[]): number {
  let matches = 0;
  for (const interest of interests) if (carries(tags, interest)) matches++;
  return matches;
}
