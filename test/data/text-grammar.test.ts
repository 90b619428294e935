import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { composePost, hashtagsOf, topicWords } from '../../src/data/text-grammar.js';

describe('text grammar', () => {
  it('when a post is composed on a topic then it ends with #topic and hashtagsOf finds it', () => {
    const rng = new Rng(1);
    for (const topic of ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance']) {
      for (let i = 0; i < 20; i++) {
        const text = composePost(rng, topic);
        expect(text).toContain(`#${topic}`);
        expect(hashtagsOf(text)).toEqual([topic]);
      }
    }
  });

  it('when a post is composed on a known topic then it mentions one of that topic’s subjects', () => {
    const rng = new Rng(2);
    const words = topicWords('climate');
    for (let i = 0; i < 50; i++) {
      const text = composePost(rng, 'climate');
      expect(words.some((w) => text.includes(w))).toBe(true);
    }
  });

  it('when a topic has no word list then the topic itself is the subject', () => {
    expect(topicWords('entertainment')).toEqual(['entertainment']);
    const text = composePost(new Rng(3), 'entertainment');
    expect(text).toMatch(/ entertainment .*#entertainment$/);
  });

  it('when the same rng state composes then the text is the same, and the stream varies it', () => {
    const a = composePost(Rng.derive(5, 'x'), 'tech');
    expect(composePost(Rng.derive(5, 'x'), 'tech')).toBe(a);
    const rng = new Rng(4);
    const texts = new Set(Array.from({ length: 50 }, () => composePost(rng, 'tech')));
    expect(texts.size).toBeGreaterThan(20);
  });

  it('when tags differ in case then hashtagsOf lower-cases them', () => {
    expect(hashtagsOf('Go #Tech and #MUSIC')).toEqual(['tech', 'music']);
  });

  it('when a tag repeats (in any case) then hashtagsOf keeps the first occurrence only, in order', () => {
    expect(hashtagsOf('#b #a #B #a #c')).toEqual(['b', 'a', 'c']);
  });

  it('when tags use unicode letters, digits or underscores then they are kept whole', () => {
    expect(hashtagsOf('#Fußball #café #日本 #ÉLECTIONS #covid_19 #2024')).toEqual(['fußball', 'café', '日本', 'élections', 'covid_19', '2024']);
  });

  it('when a tag is followed by punctuation then the punctuation is not part of it', () => {
    expect(hashtagsOf('Read this: #science, #music! (#tech).')).toEqual(['science', 'music', 'tech']);
  });

  it('when a text has no hashtags then hashtagsOf is empty', () => {
    expect(hashtagsOf('no tags here')).toEqual([]);
    expect(hashtagsOf('')).toEqual([]);
    expect(hashtagsOf('a lone # sign and ## too')).toEqual([]);
  });
});
