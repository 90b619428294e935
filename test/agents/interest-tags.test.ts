import { describe, expect, it } from 'vitest';
import { carries, InterestTags, matchCount } from '../../src/agents/interest-tags.js';

describe('interest tags', () => {
  it('when interests are met then their tags are numbered in order, and two spellings of one tag share a number', () => {
    const tags = new InterestTags();
    expect(tags.interest('tech')).toBe(0);
    expect(tags.interest('Climate change')).toBe(1);
    expect(tags.interest('climate_change')).toBe(1);
    expect(tags.interest('tech')).toBe(0);
  });

  it('when a post carries none, one or several interest tags then they read as −1, the number, or the list', () => {
    const tags = new InterestTags();
    const [tech, music] = [tags.interest('tech'), tags.interest('music')];
    expect(tags.ofPost(1, 'nothing #food here')).toBe(-1);
    expect(tags.ofPost(2, 'about #Tech')).toBe(tech);
    expect(tags.ofPost(3, '#music and #tech and #food')).toEqual([music, tech]);
    expect(matchCount(tags.ofPost(3, ''), [tech, music, tech])).toBe(3);
    expect(matchCount(-1, [tech])).toBe(0);
    expect(carries(tech, tech)).toBe(true);
    expect(carries([music], tech)).toBe(false);
  });

  it('when an interest is first met after a post was read then the post is read again with it', () => {
    const tags = new InterestTags();
    tags.atStep(0);
    tags.interest('tech');
    expect(tags.ofPost(1, '#tech #music')).toBe(0);
    const music = tags.interest('music');
    expect(tags.ofPost(1, '#tech #music')).toEqual([0, music]);
  });

  it('when a post was last read two steps ago then it is read from its text again, else from the cache', () => {
    const tags = new InterestTags();
    tags.interest('tech');
    tags.atStep(0);
    expect(tags.ofPost(1, '#tech')).toBe(0);
    tags.atStep(1);
    expect(tags.ofPost(1, 'the text is not read again')).toBe(0);
    tags.atStep(2);
    tags.atStep(3);
    expect(tags.ofPost(1, 'read again: no tag')).toBe(-1);
  });
});
