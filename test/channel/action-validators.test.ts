/**
 * The build's standalone action validators (dist/action-validators.cjs) against the ones ajv
 * compiles from the same schemas: the same verdict and the same first error (what a rejected
 * action's trace row and an LLM's repair turn say) on arguments of every kind; and never used
 * for schemas other than those they were made from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/channel/actions/registry.js';
import { ACTION_VALIDATORS_PATH, actionValidators, loadStandaloneActionValidators, writeStandaloneActionValidators } from '../../src/channel/actions/validators.js';

const specs = actionCatalog();

/** Arguments that break each property in turn, plus none, an unknown one and a non-object. */
function trials(parameters: { properties?: Record<string, unknown>; required?: readonly string[] }): unknown[] {
  const props = Object.keys(parameters.properties ?? {});
  const good = Object.fromEntries(props.map((p) => [p, 1]));
  return [{}, { zzz: 1 }, 'text', null, [], good, ...props.flatMap((p) => [{ ...good, [p]: 'x' }, { ...good, [p]: -1.5 }, { ...good, [p]: '' }, { ...good, [p]: 'y'.repeat(300) }])];
}

describe('the standalone action validators', () => {
  // Inside the package (dist/ is not in git): the generated code requires ajv's runtime from there.
  const dir = mkdtempSync(join(dirname(ACTION_VALIDATORS_PATH), 'test-actions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'actions.cjs');
  writeStandaloneActionValidators(specs, path);

  it('give the verdict and the errors of the compiled ones on every action', () => {
    const standalone = loadStandaloneActionValidators(path, specs)!;
    expect(standalone.size).toBe(specs.length);
    const ajv = new Ajv({ allErrors: false, strict: true });
    let refused = 0;
    for (const spec of specs) {
      const compiled = ajv.compile(spec.parameters);
      const own = standalone.get(spec.name)!;
      for (const args of trials(spec.parameters)) {
        const ok = compiled(args);
        expect(own(args), `${spec.name} ${JSON.stringify(args)}`).toBe(ok);
        expect(own.errors ?? null, `${spec.name} ${JSON.stringify(args)}`).toEqual(compiled.errors ?? null);
        if (!ok) refused++;
      }
    }
    // The trials do refuse arguments (the comparison is not only of successes).
    expect(refused).toBeGreaterThan(specs.length * 3);
  });

  it('are not used for schemas they were not made from, nor when missing', () => {
    const changed = specs.map((s, i) => (i === 0 ? { ...s, parameters: { ...s.parameters, required: [] } } : s));
    expect(loadStandaloneActionValidators(path, changed)).toBeNull();
    expect(loadStandaloneActionValidators(join(dir, 'missing.cjs'), specs)).toBeNull();
  });

  it('are looked for once: without the file, later validations use the compiled ones and never look again', () => {
    // A file that appears after the first validation is not picked up: the process looked once
    // (looking again cost a file-system check per action applied, seconds a step at 1M agents).
    const late = join(dir, 'late.cjs');
    const validators = actionValidators(specs, late);
    const first = validators('like');
    expect(first).toBeDefined();
    writeStandaloneActionValidators(specs, late);
    expect(validators('like')).toBe(first);
  });

  it('are written by the build for the actions as they are', () => {
    // The suite's global setup builds dist/ when src/ changed.
    expect(loadStandaloneActionValidators(ACTION_VALIDATORS_PATH, specs)).not.toBeNull();
  });
});
