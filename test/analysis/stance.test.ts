import { afterEach, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { mentions, stance, topicWords } from '../../src/analysis/stance.js';
import { labelOf, MARGIN } from '../../src/analysis/stance-classifier.js';
import { makeDb, type TestDb } from './cascade-db.js';
import { agents, answers, FOR, AGAINST, RUN, written } from './stance-db.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

describe('stance: topic mentions and margins', () => {
  it('when a post names every word of a topic or the topic as one tag then it mentions it, and not inside another word', () => {
    const words = topicWords('climate bill');
    expect(words).toEqual(['climate', 'bill']);
    expect(mentions('The bill on CLIMATE passed', words)).toBe(true);
    expect(mentions('Vote for #ClimateBill', words)).toBe(true);
    expect(mentions('climate talks', words)).toBe(false);
    expect(mentions('climatebill without a tag', words)).toBe(false);
  });

  it('when the margin is within ±MARGIN then the post is neutral, otherwise its sign decides', () => {
    expect(labelOf(MARGIN)).toBe('for');
    expect(labelOf(-MARGIN)).toBe('against');
    expect(labelOf(MARGIN / 2)).toBe('neutral');
    expect(labelOf(0)).toBe('neutral');
  });
});

describe('stance analysis', () => {
  it('when agents with known stances write distinct for and against words then held-out posts are classified by their words and shares per step and cohort are the hand-worked ones', async () => {
    db = await makeDb([...RUN]);
    const s = await withSimDb(db.dbPath, (d) => stance(d));
    expect(s.topics).toEqual(['climate']);
    // Training posts: 1–10 (decided authors), 5 for and 5 against → chance 0.5. Each is scored
    // by centroids built without its author: all for-words posts land nearer the for centroid
    // (cosine 0 with the against one), all against-words posts nearer the against one; agent
    // 5's against-words post is thus wrong: 9 of 10.
    expect(s.model).toEqual([{ topic: 'climate', method: 'centroid', accuracy: 0.9, chance: 0.5, train_posts: 10 }]);
    // Step 1, pop: posts 1, 2, 3 for, 6 against. Step 2, pop: 4 for; 5, 7, 8, 9, 10 against.
    // Step 2, b: 11 shares no weighted term with either centroid (margin 0, neutral); 12's only
    // weighted word is "green" (every word of "climate" is in all posts: idf 0), which only the
    // for centroid holds → for. Posts 13 and 14 do not name the topic.
    expect(s.byStep).toEqual([
      { side: 'sim', step: 1, cohort: 'pop', topic: 'climate', method: 'centroid', posts: 4, for_share: 0.75, against_share: 0.25, neutral_share: 0 },
      { side: 'sim', step: 2, cohort: 'b', topic: 'climate', method: 'centroid', posts: 2, for_share: 0.5, against_share: 0, neutral_share: 0.5 },
      { side: 'sim', step: 2, cohort: 'pop', topic: 'climate', method: 'centroid', posts: 6, for_share: 1 / 6, against_share: 5 / 6, neutral_share: 0 },
    ]);
    expect(s.surveys).toEqual([]);
  });

  it('when surveys name the topic then agreement is the share of decided answers on the side of the agent’s classified posts', async () => {
    const Q = 'How far do you support the #climate bill?';
    db = await makeDb([
      ...RUN,
      answers([
        ['cl', 1, 1, Q, 6], // for (above 4, the midpoint of 1–7); posts for → agrees
        ['cl', 1, 6, Q, 2], // against; posts against → agrees
        ['cl', 1, 7, Q, 6], // for; posts against → disagrees
        ['cl', 1, 8, Q, 1], ['cl', 2, 8, Q, 5], // mean 3 → against; posts against → agrees
        ['cl', 1, 2, Q, 4], // the midpoint: left out
        ['cl', 1, 11, Q, 7], // posts only neutral: left out
        ['cl', 1, 3, Q, null], // no valid answer: left out
        ['cats', 1, 1, 'Do you like cats?', 7], // names no topic: no row
      ]),
    ]);
    const s = await withSimDb(db.dbPath, (d) => stance(d));
    expect(s.surveys).toEqual([{ survey: 'cl', topic: 'climate', method: 'centroid', agents: 4, agreement: 0.75 }]);
    // With a 1–3 scale (midpoint 2) agent 6's 2 is undecided, agent 8's mean 3 is for
    // (disagreeing), 2's 4 is for (its post is for: agrees), 1's and 7's 6 stay for: 1 and 2
    // agree, 7 and 8 do not.
    const narrow = await withSimDb(db.dbPath, (d) => stance(d, { track: { top: 0, labels: null, seeds: false, posts: [], datasetPosts: [] }, horizonMs: 1, surveyScales: { cl: { min: 1, max: 3 } } }));
    expect(narrow.surveys).toEqual([{ survey: 'cl', topic: 'climate', method: 'centroid', agents: 4, agreement: 0.5 }]);
  });

  it('when the dataset has real posts then they are classified by the models trained on agents and reported on the real side', async () => {
    db = await makeDb([
      ...RUN.slice(0, 1),
      // Posts 1 and 2 are the dataset's opening posts by an imported account (user 20, cohort real).
      agents([[20, 'real', null]]),
      written([[1, 20, 0, 'Green and good for the #climate'], [2, 20, 0, 'The #climate hoax is bad']]),
      "INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (1, 'r1', false), (2, 'r2', false)",
      "INSERT INTO meta VALUES ('opening_posts', '2')",
      written([
        [101, 1, 1, FOR], [102, 2, 1, FOR], [103, 3, 1, FOR], [104, 4, 1, FOR], [105, 5, 1, FOR],
        [106, 6, 1, AGAINST], [107, 7, 1, AGAINST], [108, 8, 1, AGAINST], [109, 9, 1, AGAINST], [110, 10, 1, AGAINST],
      ]),
    ]);
    const s = await withSimDb(db.dbPath, (d) => stance(d));
    // The real posts train nothing (train_posts stays 10, all right now); user 20 is in fold 0,
    // whose model (agents 1–4, 6–9) puts post 1 (green, good) for and post 2 (hoax, bad) against.
    expect(s.model).toEqual([{ topic: 'climate', method: 'centroid', accuracy: 1, chance: 0.5, train_posts: 10 }]);
    expect(s.byStep.filter((r) => r.side === 'real')).toEqual([
      { side: 'real', step: 0, cohort: 'real', topic: 'climate', method: 'centroid', posts: 2, for_share: 0.5, against_share: 0.5, neutral_share: 0 },
    ]);
    expect(s.byStep.filter((r) => r.side === 'sim').map((r) => [r.step, r.posts, r.for_share])).toEqual([[1, 10, 0.5]]);
  });

  it('when no persona holds a stance then there are no topics and every table is empty', async () => {
    db = await makeDb([agents([[1, 'pop', null]]), written([[1, 1, 1, FOR]])]);
    const s = await withSimDb(db.dbPath, (d) => stance(d));
    expect(s).toEqual({ topics: [], model: [], byStep: [], surveys: [], judged: [], calls: [] });
  });
});
