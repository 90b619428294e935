/**
 * The README's Commands block and its list of actions are a contract: every command of the CLI
 * appears with every option it takes, and every action of the registry is named where the
 * README lists the actions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../src/channel/actions/registry.js';
import { BROWSE_ACTIONS, NOT_OFFERED } from '../src/agents/llm/tools.js';
import { buildProgram } from '../src/cli/program.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(heading: string): string {
  const start = README.indexOf(heading);
  expect(start, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + heading.length);
  return README.slice(start, end < 0 ? undefined : end);
}

describe('README commands', () => {
  it('when the CLI is built then every command has a line in the Commands block naming each of its options', async () => {
    const block = section('## Commands')
      .split('\n')
      .filter((l) => l.startsWith('    npx socialsim '));
    const program = await buildProgram();
    expect(program.commands.length).toBeGreaterThan(10);
    for (const cmd of program.commands) {
      const lines = block.filter((l) => l.startsWith(`    npx socialsim ${cmd.name()} `)).join(' ');
      expect(lines, `a Commands line for ${cmd.name()}`).not.toBe('');
      for (const opt of cmd.options) {
        const flag = opt.long ?? opt.short!;
        // "--no-report" is shown as such; commander lists it as a negate option with that long name.
        const shown = lines.includes(`${flag} `) || lines.includes(`${flag}]`) || lines.includes(`${flag}\n`) || lines.endsWith(flag) || (opt.short !== undefined && lines.includes(`${opt.short}]`));
        expect(shown, `README's ${cmd.name()} line names ${flag}`).toBe(true);
      }
    }
  });
});

describe('README actions', () => {
  it('when the registry lists its actions then the README names each of them, in backticks, under "Actions now", and the count offered to LLM agents is right', () => {
    const start = README.indexOf('Actions now:');
    expect(start).toBeGreaterThanOrEqual(0);
    const list = README.slice(start, README.indexOf('\n\n', README.indexOf('\n- ', start) + 1));
    const named = new Set([...list.matchAll(/`([a-z_]+)[ `]/g)].map((m) => m[1]!));
    // Browse mode's page actions have their own paragraph.
    const missing = ACTION_NAMES.filter((n) => !named.has(n) && !BROWSE_ACTIONS.has(n));
    expect(missing).toEqual([]);
    const offered = ACTION_NAMES.filter((n) => !NOT_OFFERED.has(n) && !BROWSE_ACTIONS.has(n)).length;
    expect(README).toContain(`absent = all ${offered} `);
  });
});

describe('README experiment file', () => {
  it('when the schema lists its top-level keys then the README names each of them in backticks', () => {
    const schema = JSON.parse(readFileSync(new URL('../schemas/experiment.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
    const keys = Object.keys(schema.properties);
    expect(keys).toContain('herding');
    const part = section('## The experiment file');
    expect(keys.filter((k) => !part.includes(`${k}:`) && !part.includes(`\`${k}\``))).toEqual([]);
  });
});
