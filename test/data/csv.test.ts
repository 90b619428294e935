import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord } from '../../src/data/csv.js';

function parse(...chunks: string[]): CsvRecord[] {
  const p = new CsvParser();
  const out: CsvRecord[] = [];
  for (const c of chunks) p.push(c, out);
  p.end(out);
  return out;
}

const TRICKY = 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n4,plain\r\n5,""\r\n';

describe('CsvParser', () => {
  it('when fields are quoted then commas, doubled quotes and line breaks inside them are text', () => {
    expect(parse(TRICKY).map((r) => r.fields)).toEqual([['id', 'text'], ['1', 'a, b'], ['2', 'say "hi"'], ['3', 'two\r\nlines'], ['4', 'plain'], ['5', '']]);
  });

  it('when a record spans lines then its line is where it starts, and later lines count the break', () => {
    expect(parse(TRICKY).map((r) => r.line)).toEqual([1, 2, 3, 4, 6, 7]);
  });

  it('when the text is cut into chunks at any point then the records are the same', () => {
    const whole = parse(TRICKY);
    for (let i = 0; i <= TRICKY.length; i++) expect(parse(TRICKY.slice(0, i), TRICKY.slice(i)), `split at ${i}`).toEqual(whole);
    expect(parse(...TRICKY.split(''))).toEqual(whole);
  });

  it('when lines end in LF, CRLF or nothing then each line is one record', () => {
    expect(parse('a,b\n1,2\r\n3,4').map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
  });

  it('when the file starts with a byte-order mark then the first header name does not include it', () => {
    expect(parse('\uFEFFid,x\n1,2\n')[0]!.fields).toEqual(['id', 'x']);
  });

  it('when there are blank lines then they are no records, and the line numbers still count them', () => {
    const rs = parse('a\n\n1\n\r\n2\n');
    expect(rs.map((r) => [r.line, r.fields])).toEqual([[1, ['a']], [3, ['1']], [5, ['2']]]);
  });

  it('when a record ends in a comma then it has an empty last field', () => {
    expect(parse('a,b\n1,\n')[1]!.fields).toEqual(['1', '']);
  });

  it('when a quote sits inside an unquoted field then it is kept as text', () => {
    expect(parse('a\n5" screen\n')[1]).toEqual({ fields: ['5" screen'], line: 2 });
  });

  it('when text follows a closing quote then the record carries an error and the next record is fine', () => {
    const rs = parse('a,b\n"x"y,1\n2,3\n');
    expect(rs[1]!.error).toMatch(/after a closing quote/);
    expect(rs[2]).toEqual({ fields: ['2', '3'], line: 3 });
  });

  it('when a quoted field is never closed then the last record carries an error', () => {
    const rs = parse('a,b\n1,"open\n2,3\n');
    expect(rs).toHaveLength(2);
    expect(rs[1]!.line).toBe(2);
    expect(rs[1]!.error).toMatch(/never closed/);
  });
});
