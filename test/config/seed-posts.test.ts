import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadExperiment, loadExperimentWithWarnings } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

const experiment = (postsFile: string): string => `name: t
clock: { timesteps: 10 }
cohorts: [{ name: a, count: 5, model: stat }]
seeds:
  - name: Outlet
    posts: [{ at: 0, text: inline first }]
    posts_file: ${postsFile}
`;

describe('seed posts from a file', () => {
  it('when a CSV of timed posts is named then its posts join the inline ones, quoted text and labels included', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posts.csv'), 'at,text,label\n2,"Breaking, with a comma",news\n5,"Two\nlines",\n');
    writeFileSync(join(dir, 'exp.yaml'), experiment('posts.csv'));
    const seed = loadExperiment(join(dir, 'exp.yaml')).seeds[0]!;
    expect(seed.posts).toEqual([
      { at: 0, text: 'inline first' },
      { at: 2, text: 'Breaking, with a comma', label: 'news' },
      { at: 5, text: 'Two\nlines' },
    ]);
    expect(seed.posts_file).toBe(join(dir, 'posts.csv'));
  });

  it('when a JSONL file is named then each line is a post', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posts.jsonl'), '{"at": 3, "text": "hello", "label": "official"}\n\n{"at": 4, "text": "again"}\n');
    writeFileSync(join(dir, 'exp.yaml'), experiment('posts.jsonl'));
    expect(loadExperiment(join(dir, 'exp.yaml')).seeds[0]!.posts.slice(1)).toEqual([{ at: 3, text: 'hello', label: 'official' }, { at: 4, text: 'again' }]);
  });

  it('when a row is bad or the file is missing then the error names file and line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.csv'), 'at,text\n1,ok\nsoon,not a step\n');
    for (const [file, want] of [
      ['bad.csv', `${join(dir, 'bad.csv')}:3: "at" must be a step (integer ≥ 0), got "soon"`],
      ['nope.csv', `posts file not found: ${join(dir, 'nope.csv')}`],
    ]) {
      writeFileSync(join(dir, 'exp.yaml'), experiment(file!));
      expect(() => loadExperiment(join(dir, 'exp.yaml'))).toThrow(ConfigError);
      expect(() => loadExperiment(join(dir, 'exp.yaml'))).toThrow(want);
    }
  });

  it('when a post of the file is past the last step then loading warns that it will not be made and goes on', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'late.jsonl'), '{"at": 12, "text": "too late"}\n');
    writeFileSync(join(dir, 'exp.yaml'), experiment('late.jsonl'));
    const { experiment: exp, warnings } = loadExperimentWithWarnings(join(dir, 'exp.yaml'));
    expect(exp.seeds[0]!.posts).toHaveLength(2);
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "seeds[0].posts[1].at: step 12 is past the run's last step (clock.timesteps 10: steps 0..9); this post will not be made",
    ]);
  });
});
