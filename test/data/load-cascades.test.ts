import { describe, expect, it } from 'vitest';
import { loadCascades } from '../../src/data/load-cascades.js';
import { dataDir, failure, table } from './helpers.js';

describe('loadCascades', () => {
  it('when a Twitter15/16-shaped tree is read with mapped columns then each node keeps cascade, user, parent and delay', async () => {
    const dir = dataDir({ 'c.csv': 'tree,uid,from,secs\nt1,a,,0\nt1,b,a,12.5\nt1,c,b,30\nt2,x,,0\n' });
    const c = await loadCascades(table('c.csv', { columns: { cascade: 'tree', user: 'uid', parent: 'from', delay: 'secs' } }), dir);
    expect(c.rows).toEqual([
      { cascade: 't1', user: 'a', parent: undefined, delay: 0 },
      { cascade: 't1', user: 'b', parent: 'a', delay: 12.5 },
      { cascade: 't1', user: 'c', parent: 'b', delay: 30 },
      { cascade: 't2', user: 'x', parent: undefined, delay: 0 },
    ]);
  });

  it('when a parent is not in its cascade under fail then the error names line and column', async () => {
    const dir = dataDir({ 'c.csv': 'cascade,user,parent,delay\nt1,a,,0\nt2,b,,0\nt1,c,b,5\n' });
    expect((await failure(loadCascades(table('c.csv'), dir))).message).toBe('c.csv:4: column "parent": no user "b" in cascade "t1" (among its rows that load)');
  });

  it('when nodes hang below a bad node under skip then they are left out too, each counted', async () => {
    const dir = dataDir({ 'c.jsonl': ['{"cascade":"t","user":"r","delay":0}', '{"cascade":"t","user":"a","parent":"ghost","delay":1}', '{"cascade":"t","user":"b","parent":"a","delay":2}', '{"cascade":"t","user":"c","parent":"r","delay":"3"}'].join('\n') });
    const c = await loadCascades(table('c.jsonl', { on_bad_row: 'skip' }), dir);
    expect(c.rows.map((n) => n.user)).toEqual(['r', 'c']);
    expect(c.skipped).toBe(2);
  });

  it('when a cascade has no root or two roots then its rows are bad', async () => {
    const dir = dataDir({ 'c.csv': 'cascade,user,parent,delay\nt1,a,b,1\nt1,b,a,2\nt2,x,,0\nt2,y,,4\n' });
    const c = await loadCascades(table('c.csv', { on_bad_row: 'skip' }), dir);
    expect(c.rows.map((n) => n.user)).toEqual(['x']);
    expect(c.examples).toEqual([
      'c.csv:2: column "parent": cascade "t1" has no root (a row with an empty parent)',
      'c.csv:3: column "parent": cascade "t1" has no root (a row with an empty parent)',
      'c.csv:5: column "parent": cascade "t2" already has a root (user "x"); only one row may have an empty parent',
    ]);
  });

  it('when a delay is negative or not a number then the row is bad', async () => {
    const dir = dataDir({ 'c.csv': 'cascade,user,parent,delay\nt,a,,0\nt,b,a,-1\nt,c,a,soon\nt,d,a,\n' });
    const c = await loadCascades(table('c.csv', { on_bad_row: 'skip' }), dir);
    expect(c.examples).toEqual([
      'c.csv:3: column "delay": expected a number of at least 0, got "-1"',
      'c.csv:4: column "delay": expected a number, got "soon"',
      'c.csv:5: column "delay": missing (this field is required)',
    ]);
    expect(c.rows.map((n) => n.user)).toEqual(['a']);
  });
});
