/**
 * The snapshot's views by post id (snapshot.ts PostsById): an array over the candidates' id
 * range answering as a map of them would, gaps and ids outside the range included.
 */
import { describe, expect, it } from 'vitest';
import { PostsById, type PostView } from '../../src/channel/snapshot.js';

const view = (postId: number): PostView => ({ postId, authorId: postId % 7, createdStep: 1, text: `post ${postId}`, label: null, likes: 0, reposts: 0, dislikes: 0 });

describe('views by post id', () => {
  it('when candidates leave gaps in their id range then each id answers as a map of them would', () => {
    // Not in id order, with gaps (replies and reposts are never candidates).
    const posts = [105, 100, 101, 104, 109].map(view);
    const lookup = new PostsById(posts);
    const map = new Map(posts.map((p) => [p.postId, p]));
    for (let id = 95; id <= 115; id++) {
      expect(lookup.get(id), String(id)).toBe(map.get(id));
      expect(lookup.has(id), String(id)).toBe(map.has(id));
    }
    expect(lookup.get(104)?.text).toBe('post 104');
    expect(lookup.get(102.5)).toBeUndefined();
    expect(lookup.has(Number.NaN)).toBe(false);
  });

  it('when there are no candidates then no id is found', () => {
    const lookup = new PostsById([]);
    expect(lookup.get(0)).toBeUndefined();
    expect(lookup.has(1)).toBe(false);
  });
});
