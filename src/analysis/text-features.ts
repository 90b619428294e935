/**
 * Style features of one post's text, the measures "similarity to human behaviour" compares
 * between real and simulated posts. Each is a plain function of the text, so a test can work a
 * value out by hand:
 * - length: characters (Unicode code points);
 * - ttr: type-token ratio, distinct lower-case words / words (words: runs of letters, digits,
 *   apostrophes; #tags and @mentions count as words); 0 for a text without words;
 * - hashtags, mentions, urls, emoji: how many `#tag`, `@name`, `http(s)://…` and emoji
 *   (Extended_Pictographic code points) the text holds;
 * - capitals: upper-case letters / letters (0 without letters);
 * - readability: Flesch reading ease, 206.835 − 1.015 · words/sentences − 84.6 ·
 *   syllables/words, sentences counted as runs of . ! ? (at least 1) and syllables as vowel
 *   groups per word (a, e, i, o, u, y; a final silent e dropped; at least 1 per word);
 *   NaN for a text without words, so it is left out rather than scored.
 */
export const STYLE_FEATURES = ['length', 'ttr', 'hashtags', 'mentions', 'urls', 'emoji', 'capitals', 'readability'] as const;
export type StyleFeature = (typeof STYLE_FEATURES)[number];
export type StyleVector = Record<StyleFeature, number>;

const WORD = /[\p{L}\p{N}']+/gu;
const HASHTAG = /#[\p{L}\p{N}_]+/gu;
const MENTION = /@[\p{L}\p{N}_]+/gu;
const URL = /https?:\/\/\S+/gu;
const EMOJI = /\p{Extended_Pictographic}/gu;
const LETTER = /\p{L}/gu;
const UPPER = /\p{Lu}/gu;
const SENTENCE_END = /[.!?]+/g;

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

/** Vowel groups of a word, a final silent "e" dropped (at least one). */
export function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w === '') return 1;
  const trimmed = w.length > 2 && w.endsWith('e') && !w.endsWith('le') ? w.slice(0, -1) : w;
  return Math.max(1, trimmed.match(/[aeiouy]+/g)?.length ?? 0);
}

/** Flesch reading ease of a text; NaN without words. */
export function fleschReadingEase(text: string): number {
  const words = text.replace(URL, ' ').match(WORD) ?? [];
  if (words.length === 0) return Number.NaN;
  const sentences = Math.max(1, count(text.replace(URL, ' '), SENTENCE_END));
  const syl = words.reduce((sum, w) => sum + syllables(w), 0);
  return 206.835 - 1.015 * (words.length / sentences) - 84.6 * (syl / words.length);
}

/** The style features of a text. */
export function styleOf(text: string): StyleVector {
  const words = (text.replace(URL, ' ').match(WORD) ?? []).map((w) => w.toLowerCase());
  const letters = count(text, LETTER);
  return {
    length: [...text].length,
    ttr: words.length === 0 ? 0 : new Set(words).size / words.length,
    hashtags: count(text, HASHTAG),
    mentions: count(text, MENTION),
    urls: count(text, URL),
    emoji: count(text, EMOJI),
    capitals: letters === 0 ? 0 : count(text, UPPER) / letters,
    readability: fleschReadingEase(text),
  };
}
