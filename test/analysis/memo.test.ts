import { utimesSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoized } from '../../src/analysis/memo.js';
import { withSimDb } from '../../src/analysis/open.js';
import { makeDb, type TestDb } from './cascade-db.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

describe('analysis results kept per database state', () => {
  it('when the same analysis is asked twice of an unchanged file then it is computed once, and afresh after the file changes or with other arguments', async () => {
    db = await makeDb([]);
    let computed = 0;
    const ask = (args: unknown[]): Promise<number> => withSimDb(db!.dbPath, (d) => memoized(d, 'count', args, async () => ++computed));
    expect(await ask([1])).toBe(1);
    expect(await ask([1])).toBe(1); // the report and then analysis.duckdb, over one file
    expect(await ask([2])).toBe(2);
    // The file changed (a resumed run wrote to it): computed again.
    const later = new Date(Date.now() + 5_000);
    utimesSync(db.dbPath, later, later);
    expect(await ask([1])).toBe(3);
  });

  it('when a computation fails then it is not kept', async () => {
    db = await makeDb([]);
    let calls = 0;
    const ask = (): Promise<number> =>
      withSimDb(db!.dbPath, (d) =>
        memoized(d, 'flaky', [], async () => {
          calls++;
          if (calls === 1) throw new Error('first time');
          return calls;
        }),
      );
    await expect(ask()).rejects.toThrow('first time');
    expect(await ask()).toBe(2);
  });
});
