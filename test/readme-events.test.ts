/**
 * The README's table of an events.jsonl step line is a contract: it names exactly the fields
 * of `StepEvent` (src/engine/events.ts), the one type step lines are written as.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const EVENTS = readFileSync(new URL('../src/engine/events.ts', import.meta.url), 'utf8');

/** The field names of `StepEvent`, as declared. */
function stepEventFields(): string[] {
  const body = /export interface StepEvent \{([\s\S]*?)\n\}/.exec(EVENTS)?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]!);
}

/** The fields the README's step-line table names (its first column's backticked names). */
function readmeFields(): string[] {
  const from = README.indexOf('A `step` line, written once the step is committed, has:');
  const table = README.slice(from, README.indexOf('\n\n', README.indexOf('| field | what |', from)));
  return table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
}

describe('the README’s events.jsonl step line', () => {
  it('when a step line is written then the README names each of its fields, and no other', () => {
    const fields = stepEventFields();
    // Every line has `t` and `type` (said in the text above the table).
    expect(fields).toContain('type');
    expect(fields.length).toBeGreaterThan(10);
    expect(readmeFields().sort()).toEqual(fields.filter((f) => f !== 'type').sort());
  });
});
