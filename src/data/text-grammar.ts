import type { Rng } from '../common/rng.js';

/**
 * A tiny template grammar for the statistical policy's posts. Its output is meant to look
 * obviously synthetic ("clearly not LLM text") while carrying the topic as a #hashtag, which
 * is how statistical agents recognise what a post is about.
 */
const TOPIC_WORDS: Readonly<Record<string, readonly string[]>> = {
  politics: ['the election', 'the new bill', 'the senate vote', 'the debate', 'local government'],
  climate: ['heat records', 'the climate bill', 'renewables', 'emissions', 'the flood warnings'],
  sports: ['the final', 'last night’s match', 'the transfer news', 'the league table', 'the marathon'],
  tech: ['the new phone', 'open-source AI', 'the chip shortage', 'that app update', 'quantum computing'],
  science: ['the new study', 'the Mars mission', 'gene editing', 'the telescope images', 'peer review'],
  music: ['the new album', 'the festival lineup', 'that concert', 'vinyl', 'the charts'],
  food: ['street food', 'this recipe', 'the new bakery', 'plant-based burgers', 'coffee prices'],
  travel: ['cheap flights', 'the night train', 'a weekend trip', 'the new airport', 'hiking trails'],
  health: ['the flu season', 'sleep habits', 'the new vaccine', 'running', 'mental health'],
  finance: ['interest rates', 'the markets', 'crypto', 'rent prices', 'the budget'],
};

const OPENERS = ['Honestly,', 'Hot take:', 'Thinking about', 'Can we talk about', 'Just read about', 'Update on', 'Nobody mentions'] as const;
const VERDICTS = ['is overrated', 'matters more than people think', 'is getting out of hand', 'looks promising', 'deserves a closer look', 'changed my mind', 'is all anyone talks about'] as const;
const CLOSERS = ['', ' Thoughts?', ' Agree?', ' More soon.', ' 🤔', ' Wild.'] as const;

export function topicWords(topic: string): readonly string[] {
  return TOPIC_WORDS[topic] ?? [topic];
}

/**
 * The hashtag form of a topic, as `hashtagsOf` reads it back: lower case, every run of
 * characters other than letters, digits and _ made one _ ("Climate change" → climate_change).
 */
export function topicTag(topic: string): string {
  return topic.toLowerCase().replace(/[^\p{L}\p{N}_]+/gu, '_');
}

export function composePost(rng: Rng, topic: string): string {
  const subject = rng.pick(topicWords(topic));
  return `${rng.pick(OPENERS)} ${subject} ${rng.pick(VERDICTS)}.${rng.pick(CLOSERS)} #${topicTag(topic)}`;
}

const REACTIONS = ['Agreed,', 'Not so sure,', 'Source?', 'Good point,', 'Respectfully disagree,', 'This.', 'Same here,'] as const;
const FOLLOW_UPS = ['what about', 'also think of', 'nobody mentions', 'compare with', 'keep an eye on'] as const;

/** A templated reply or quote comment on `topic`: as obviously synthetic as `composePost`. */
export function composeReply(rng: Rng, topic: string): string {
  return `${rng.pick(REACTIONS)} ${rng.pick(FOLLOW_UPS)} ${rng.pick(topicWords(topic))}. #${topicTag(topic)}`;
}

const HASHTAG = /#([\p{L}\p{N}_]+)/gu;

/** Lower-cased hashtags of a text, in order of appearance, without repeats. */
export function hashtagsOf(text: string): string[] {
  const tags: string[] = [];
  for (const m of text.matchAll(HASHTAG)) {
    const tag = (m[1] as string).toLowerCase();
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}
