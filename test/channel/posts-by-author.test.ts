import { describe, expect, it } from 'vitest';
import { ChannelState, type NewPost } from '../../src/channel/state.js';

const post = (author: number): NewPost => ({ author, kind: 'original', parentId: null, rootId: null, createdStep: 0, text: 'x', label: null });

describe("an author's posts (the per-author chain)", () => {
  it('when posts arrive in id order then each author lists exactly its own, ascending', () => {
    const s = new ChannelState();
    [0, 1, 0, 2, 0, 1].forEach((author, i) => s.addPost(i + 1, post(author)));
    expect(s.postIdsOf(0)).toEqual([1, 3, 5]);
    expect(s.postIdsOf(1)).toEqual([2, 6]);
    expect(s.postIdsOf(2)).toEqual([4]);
    expect(s.postIdsOf(3)).toEqual([]);
    expect(s.postIdsOf(5000)).toEqual([]);
  });

  it('when a post id arrives below its author\'s newest then it is listed in its place, and a repeated id once', () => {
    const s = new ChannelState();
    for (const id of [10, 4, 7, 1, 7, 12]) s.addPost(id, post(3));
    expect(s.postIdsOf(3)).toEqual([1, 4, 7, 10, 12]);
  });

  it('when an author id is past the arrays\' first size then it is still kept apart from the others', () => {
    const s = new ChannelState();
    s.addPost(1, post(100_000));
    s.addPost(5_000, post(7));
    s.addPost(5_001, post(100_000));
    expect(s.postIdsOf(100_000)).toEqual([1, 5_001]);
    expect(s.postIdsOf(7)).toEqual([5_000]);
  });
});
