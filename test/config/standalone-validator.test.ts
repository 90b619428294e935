/**
 * The build's standalone validator (dist/experiment-validator.cjs) must behave exactly like the
 * one ajv compiles from the schema: same defaults filled, same errors with the same schema
 * nodes (messages.ts reads them), and it must never be used for another schema than the one it
 * was made from.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { compileExperimentValidator, loadStandaloneValidator, SCHEMA_PATH, STANDALONE_PATH, writeStandaloneValidator } from '../../src/config/schema.js';

const EXPERIMENTS = new URL('../../experiments/', import.meta.url).pathname;

function quickstart(): Record<string, unknown> {
  return parse(readFileSync(join(EXPERIMENTS, 'quickstart.yaml'), 'utf8')) as Record<string, unknown>;
}

/** Inputs the schema refuses, each for another kind of keyword. */
const BAD: Array<[string, (d: Record<string, unknown>) => void]> = [
  ['a string count', (d) => ((d.cohorts as Array<Record<string, unknown>>)[0]!.count = 'many')],
  ['an unknown key', (d) => (d.colour = 'blue')],
  ['an unknown recommender', (d) => (d.recsys = { kind: 'nope' })],
  ['a start that is no date-time', (d) => (d.clock = { timesteps: 3, start: 'monday' })],
  ['a negative seed and no cohorts', (d) => ((d.seed = -1), delete d.cohorts)],
];

describe('the standalone experiment validator', () => {
  const schemaText = readFileSync(SCHEMA_PATH, 'utf8');
  // Inside the package (dist/ is not in git): the generated code requires ajv's runtime from there.
  const dir = mkdtempSync(join(dirname(STANDALONE_PATH), 'test-validator-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'validator.cjs');
  writeStandaloneValidator(path);
  const standalone = loadStandaloneValidator(path, schemaText)!;
  const compiled = compileExperimentValidator();

  it('fills the same defaults as the compiled validator on every shipped experiment', () => {
    const files = readdirSync(EXPERIMENTS).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const a = parse(readFileSync(join(EXPERIMENTS, f), 'utf8')) as Record<string, unknown>;
      const b = structuredClone(a);
      expect(standalone(a), f).toBe(compiled(b));
      expect(a, f).toEqual(b);
      // Defaults were filled: the document grew.
      expect(JSON.stringify(a).length, f).toBeGreaterThan(readFileSync(join(EXPERIMENTS, f), 'utf8').length / 4);
    }
  });

  it('gives the same errors, with the same schema nodes, on inputs the schema refuses', () => {
    for (const [what, spoil] of BAD) {
      const a = quickstart();
      spoil(a);
      const b = structuredClone(a);
      expect(standalone(a), what).toBe(false);
      expect(compiled(b), what).toBe(false);
      expect(standalone.errors, what).toEqual(compiled.errors);
      expect(standalone.errors!.length, what).toBeGreaterThan(0);
    }
  });

  it('is not used for a schema it was not made from', () => {
    expect(loadStandaloneValidator(path, schemaText.replace('"socialsim experiment"', '"another"'))).toBeNull();
    expect(loadStandaloneValidator(join(dir, 'missing.cjs'), schemaText)).toBeNull();
    const other = join(dir, 'other.cjs');
    writeFileSync(other, readFileSync(path, 'utf8').replace(/schemaSha256 = "[0-9a-f]+"/, 'schemaSha256 = "0"'));
    expect(loadStandaloneValidator(other, schemaText)).toBeNull();
  });

  it('is written by the build for the schema as it is', () => {
    // The suite's global setup builds dist/ when src/ changed.
    expect(loadStandaloneValidator(STANDALONE_PATH, schemaText)).not.toBeNull();
  });
});
