import { describe, expect, it } from 'vitest';
import { parseListLiteral } from '../../src/data/list-literal.js';

const items = (text: string): unknown => {
  const r = parseListLiteral(text);
  return 'items' in r ? r.items : r;
};

const error = (text: string): string => {
  const r = parseListLiteral(text);
  return 'error' in r ? r.error : `parsed: ${JSON.stringify(r.items)}`;
};

describe('parseListLiteral', () => {
  it('when the list holds numbers then they come back as numbers, space and a trailing comma allowed', () => {
    expect(items('[1, 5, 9]')).toEqual([1, 5, 9]);
    expect(items('  [ 0,2 ,  -3, 1.5, 2e3, ]  ')).toEqual([0, 2, -3, 1.5, 2000]);
  });

  it('when the list is empty then there are no items', () => {
    expect(items('[]')).toEqual([]);
    expect(items('[ ]')).toEqual([]);
  });

  it('when strings use either quote then both read, with the other quote inside as text', () => {
    expect(items(`['first tweet', "it's here", 'say "hi"']`)).toEqual(['first tweet', "it's here", 'say "hi"']);
  });

  it('when strings hold commas, brackets and quotes then they do not split the list', () => {
    expect(items(`['a, b', "c], [d", 'e\\'f, g']`)).toEqual(['a, b', 'c], [d', "e'f, g"]);
  });

  it('when strings carry backslash escapes then they are decoded as Python does', () => {
    expect(items(String.raw`['line\nbreak', 'tab\there', 'back\\slash', 'q\'s', "dq\"s", '\x41\u00e9\U0001F600', '\101', 'keep\d']`)).toEqual([
      'line\nbreak',
      'tab\there',
      'back\\slash',
      "q's",
      'dq"s',
      'Aé😀',
      'A',
      'keep\\d',
    ]);
  });

  it('when a string has an r or u prefix then r keeps backslashes and u is plain', () => {
    expect(items(String.raw`[r'a\nb', u'caf\u00e9', R"x\"y"]`)).toEqual(['a\\nb', 'café', 'x\\"y']);
  });

  it('when the text is a JSON array then it reads the same', () => {
    const list = ['say "hi"', 'it\'s', 'emoji 😀', 'new\nline', 3];
    expect(items(JSON.stringify(list))).toEqual(list);
  });

  it('when the text is not a list then the reason says what is wrong and where', () => {
    expect(error('0')).toMatch(/a list starts with \[/);
    expect(error('[1, 2')).toMatch(/never closed/);
    expect(error("['open]")).toMatch(/string is never closed/);
    expect(error('[1 2]')).toMatch(/expected , or \] at character 4/);
    expect(error('[[1], 2]')).toMatch(/nested list/);
    expect(error('[None]')).toMatch(/None at character 2/);
    expect(error('[1] x')).toMatch(/text after the closing \]/);
    expect(error(String.raw`['\x4']`)).toMatch(/2 hex digits/);
  });
});
