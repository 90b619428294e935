/** The README's project layout lists every folder of src/ and nothing that is gone. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README’s project layout', () => {
  it('when src/ holds module folders then the layout names exactly those', () => {
    const layout = README.slice(README.indexOf('## Project layout'));
    const listed = [...layout.matchAll(/^ {4}src\/(\w+)\//gm)].map((m) => m[1]).sort();
    const folders = readdirSync(new URL('../src/', import.meta.url), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(listed).toEqual(folders);
  });
});
