/**
 * The README's list of sim.duckdb tables is a contract: every table the channel creates is
 * listed with exactly its columns, in order, and nothing else is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNEL_DDL } from '../src/channel/schema.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** table → its columns in DDL order. */
function ddlTables(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ddl of CHANNEL_DDL) {
    const m = /CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*)\)/.exec(ddl);
    if (!m) continue;
    const columns = m[2]!
      .split('\n')
      .map((line) => line.replace(/--.*$/, '').trim())
      .filter((line) => line !== '')
      .map((line) => line.split(/\s+/)[0]!.replace(/,$/, ''));
    out.set(m[1]!, columns);
  }
  return out;
}

/** table → columns as the README's "Tables in sim.duckdb" section lists them (notes in brackets dropped). */
function readmeTables(): Map<string, string[]> {
  const section = README.slice(README.indexOf('## Tables in `sim.duckdb`'), README.indexOf('\n## ', README.indexOf('## Tables in `sim.duckdb`') + 5));
  const out = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `(\w+)` \| ([^|]+) \|/.exec(line);
    if (!m) continue;
    let cols = m[2]!;
    // Drop parenthesised notes, innermost first: "kind (`a`/`b`: the x (y))".
    for (let prev = ''; prev !== cols; ) [prev, cols] = [cols, cols.replace(/\s*\([^()]*\)/g, '')];
    out.set(m[1]!, cols.split(',').map((c) => c.trim()));
  }
  return out;
}

describe('the README’s table list', () => {
  it('when the channel creates its tables then the README lists each one with exactly its columns', () => {
    const ddl = ddlTables();
    const readme = readmeTables();
    expect([...readme.keys()].sort()).toEqual([...ddl.keys()].sort());
    for (const [table, columns] of ddl) expect(readme.get(table), table).toEqual(columns);
  });
});

describe('the outcome tables', () => {
  it('when a run writes a table then the equality checks cover it, or it is named as left out', async () => {
    const { CHANNEL_TABLES, CHANNEL_TABLES_LEFT_OUT } = await import('../src/channel/schema.js');
    expect([...CHANNEL_TABLES, ...CHANNEL_TABLES_LEFT_OUT].sort()).toEqual([...ddlTables().keys()].sort());
  });
});
