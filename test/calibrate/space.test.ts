import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { checkSpace, parseParamSpec, parseSpace, ParamError, startOf, toUnit, toValue } from '../../src/calibrate/space.js';

const YAML = `
name: space
seed: 1
models:
  stat: { provider: statistical, repost_base: 0.04 }
  spare: { provider: statistical }
cohorts:
  - { name: all, count: 10, model: stat, activity: 0.3 }
recsys: { kind: popularity, feed_size: 20 }
`;
const base = parseExperiment(YAML, 'space.yaml');
const check = (...raws: string[]): void => checkSpace(parseSpace(raws), YAML, 'space.yaml', [], base);
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParamError);
    return (err as Error).message;
  }
  throw new Error('expected a ParamError');
};

describe('--params parsing', () => {
  it('when a range has log: and int: prefixes then the spec says so, in either order', () => {
    expect(parseParamSpec('models.stat.repost_base=0.05..0.8')).toMatchObject({ path: 'models.stat.repost_base', segments: ['models', 'stat', 'repost_base'], lo: 0.05, hi: 0.8, scale: 'linear', integer: false });
    expect(parseParamSpec('models.stat.repost_base=log:1e-3..0.3')).toMatchObject({ lo: 0.001, hi: 0.3, scale: 'log', integer: false });
    expect(parseParamSpec('cohorts[0].count=int:log:5..500')).toMatchObject({ segments: ['cohorts', 0, 'count'], scale: 'log', integer: true });
  });

  it('when a spec is malformed then the error quotes it and says what was expected', () => {
    expect(message(() => parseParamSpec('models.stat.repost_base'))).toBe('--params models.stat.repost_base: expected path=lo..hi, e.g. models.stat.repost_base=0.05..0.8 (or log:0.01..0.3, int:5..50)');
    expect(message(() => parseParamSpec('models.stat.repost_base=0.3'))).toMatch(/: expected a range lo\.\.hi after "=", got "0\.3"$/);
    expect(message(() => parseParamSpec('models.stat.repost_base=a..b'))).toMatch(/: bounds must be numbers, got "a" and "b"$/);
    expect(message(() => parseParamSpec('models.stat.repost_base=0.5..0.1'))).toMatch(/: the lower bound must be below the upper one, got 0\.5\.\.0\.1$/);
    expect(message(() => parseParamSpec('models.stat.repost_base=log:0..0.1'))).toMatch(/: a log: range needs a lower bound above 0, got 0$/);
    expect(message(() => parseParamSpec('cohorts[0].count=int:1.5..9'))).toMatch(/: an int: range needs whole-number bounds, got 1\.5\.\.9$/);
    expect(message(() => parseParamSpec('models..x=0..1'))).toMatch(/malformed path "models\.\.x"/);
  });

  it('when several specs are malformed then one error lists them all', () => {
    expect(message(() => parseSpace(['a=1', 'b=2..1', 'c=0..1'])).split('\n')).toHaveLength(2);
  });
});

describe('--params against the experiment', () => {
  it('when the path is no field then the error names the parameter and suggests the field', () => {
    expect(message(() => check('models.stat.repost_bse=0..0.5'))).toBe('--params models.stat.repost_bse=0..0.5: "models.stat.repost_bse" is not a field of the experiment: models.stat has no "repost_bse" (did you mean "repost_base"?)');
  });

  it('when a bound fails the schema then the error names the parameter, the bound and the rule', () => {
    expect(message(() => check('models.stat.repost_base=0.1..1.5'))).toBe('--params models.stat.repost_base=0.1..1.5: at 1.5: models.stat.repost_base: must be number between 0 and 1, got 1.5');
  });

  it('when an integer field is given a real range then the error asks for int:', () => {
    expect(message(() => check('recsys.feed_size=5..50'))).toMatch(/^--params recsys\.feed_size=5\.\.50: at 33\.93: recsys\.feed_size: must be integer.*\(an integer field: write int:lo\.\.hi\)$/);
    expect(() => check('recsys.feed_size=int:5..50')).not.toThrow();
  });

  it('when the model is missing or unused, the path given twice, or the seed fitted then each is refused with the reason', () => {
    const lines = message(() => check('models.nope.like_base=0..1', 'models.spare.like_base=0..1', 'models.stat.like_base=0..1', 'models.stat.like_base=0.1..0.2', 'seed=1..5')).split('\n');
    expect(lines).toEqual([
      '--params models.nope.like_base=0..1: the experiment has no model "nope" (models: stat, spare)',
      '--params models.spare.like_base=0..1: no cohort, seed account or recommender uses model "spare", so it would change nothing',
      '--params models.stat.like_base=0.1..0.2: models.stat.like_base is given twice',
      "--params seed=1..5: the seed is not fitted; calibrate runs every point with --seeds seeds from the experiment's",
    ]);
  });

  it('when there is no parameter then calibrate asks for one', () => {
    expect(message(() => check())).toMatch(/at least one --params/);
  });
});

describe('the unit cube', () => {
  it('when mapped then linear, log and integer parameters hit their bounds and round-trip', () => {
    const lin = parseParamSpec('a.b=0.05..0.8');
    const log = parseParamSpec('a.b=log:0.001..0.1');
    const int = parseParamSpec('a.b=int:5..50');
    expect([toValue(lin, 0), toValue(lin, 1), toValue(lin, 0.5)]).toEqual([0.05, 0.8, 0.425]);
    expect([toValue(log, 0), toValue(log, 0.5), toValue(log, 1)]).toEqual([0.001, 0.01, 0.1]);
    expect([toValue(int, 0), toValue(int, 0.5), toValue(int, 1), toValue(int, 1.3)]).toEqual([5, 28, 50, 50]);
    expect(toValue(lin, 0.123456789)).toBe(0.1426); // four significant digits
    expect(toUnit(log, 0.01)).toBeCloseTo(0.5, 12);
  });

  it('when the experiment sets the parameter then the search starts there, else in the middle', () => {
    expect(startOf(parseParamSpec('models.stat.repost_base=0.02..0.06'), base)).toBeCloseTo(0.5, 12);
    expect(startOf(parseParamSpec('models.stat.repost_base=0.1..0.2'), base)).toBe(0); // 0.04 is below the range
    expect(startOf(parseParamSpec('dataset.generate.polarization=0..1'), base)).toBe(0.5);
  });
});
