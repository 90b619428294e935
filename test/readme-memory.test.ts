/**
 * The README's "What a run keeps in memory" table is a contract: its rows are exactly the
 * structures `MEMORY_STRUCTURES` lists, with what each grows with, needs and keeps, and each names
 * a real field of a real class or interface in src.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEMORY_STRUCTURES } from '../src/channel/memory.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const SRC = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));
}

/** structure → [grows with, bytes, needed, kept] as the README's table has them. */
function readmeRows(): Map<string, string[]> {
  const start = README.indexOf('### What a run keeps in memory');
  const section = README.slice(start, README.indexOf('\n#', start + 5));
  const out = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([\w.]+)` \|(.*)\|$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.split('|').map((c) => c.trim()));
  }
  return out;
}

/** The body of `class Name` or `interface Name` in src, up to the next top-level declaration. */
function declaration(all: readonly string[], name: string): string | undefined {
  for (const text of all) {
    const m = new RegExp(`^export (?:class|interface) ${name}\\b[^{]*\\{`, 'm').exec(text);
    if (m) return text.slice(m.index, text.indexOf('\n}', m.index));
  }
  return undefined;
}

describe('the README’s memory table', () => {
  it('when the code lists what grows with posts then the README has a row for each and no other', () => {
    const rows = readmeRows();
    expect([...rows.keys()].sort()).toEqual(MEMORY_STRUCTURES.map((s) => s.name).sort());
    for (const s of MEMORY_STRUCTURES) {
      const [grows, , needed, kept] = rows.get(s.name)!;
      expect(grows, s.name).toBe(s.grows);
      expect(needed, s.name).toBe(s.needs);
      expect(kept?.startsWith(s.kept), s.name).toBe(true);
    }
  });

  it('when a row names Class.field then src declares that field in that class', () => {
    const all = sources(SRC);
    for (const { name } of MEMORY_STRUCTURES) {
      const [owner, field] = name.split('.') as [string, string];
      const body = declaration(all, owner);
      expect(body, `${owner} is declared in src`).toBeDefined();
      expect(new RegExp(`^\\s+(?:(?:private|readonly|static)\\s+)*${field}\\??\\s*[:=]`, 'm').test(body!), name).toBe(true);
    }
  });
});
