/**
 * The actions' argument validators. Loading ajv and compiling with it costs every process (and
 * every LLM worker thread, which vets tool calls) a few hundred milliseconds, so the build
 * writes all of them as ajv standalone code (`dist/action-validators.cjs`, stamped with a hash
 * of the schemas) and they are loaded from there. Without that file, or when the schemas have
 * changed since the build (running from source), each is compiled with ajv on first use.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvType, ValidateFunction } from 'ajv';
import { packageFile } from '../../common/packages.js';
import type { JsonSchemaObject } from './types.js';

export interface NamedSchema {
  readonly name: string;
  readonly parameters: JsonSchemaObject;
}

/** Where the build writes the standalone validators. */
export const ACTION_VALIDATORS_PATH = packageFile('dist/action-validators.cjs');

// ajv is CommonJS: required on demand, so a process with the standalone file never loads it.
const require = createRequire(import.meta.url);

function schemasHash(specs: readonly NamedSchema[]): string {
  return createHash('sha256')
    .update(JSON.stringify(specs.map((s) => [s.name, s.parameters])))
    .digest('hex');
}

function newAjv(source: boolean): AjvType {
  const { Ajv } = require('ajv') as typeof import('ajv');
  // The schemas are this module's callers' own, checked against the meta-schema by a test
  // (test/channel/actions.test.ts): not again in each process.
  return new Ajv({ allErrors: false, strict: true, validateSchema: false, ...(source ? { code: { source: true } } : {}) });
}

/** The validators in the standalone file at `path` when it was made from these schemas, else null. */
export function loadStandaloneActionValidators(path: string, specs: readonly NamedSchema[]): Map<string, ValidateFunction> | null {
  if (!existsSync(path)) return null;
  const mod = require(path) as Record<string, unknown> & { schemasSha256?: string };
  if (mod.schemasSha256 !== schemasHash(specs)) return null;
  const out = new Map<string, ValidateFunction>();
  for (const s of specs) {
    const f = mod[s.name];
    if (typeof f !== 'function') return null;
    out.set(s.name, f as ValidateFunction);
  }
  return out;
}

/** Writes every schema's validator as one standalone module, exported by action name. */
export function writeStandaloneActionValidators(specs: readonly NamedSchema[], path = ACTION_VALIDATORS_PATH): void {
  const ajv = newAjv(true);
  for (const s of specs) ajv.addSchema(s.parameters, s.name);
  const standaloneCode = (require('ajv/dist/standalone/index.js') as { default: (a: AjvType, refs: Record<string, string>) => string }).default;
  const code = standaloneCode(ajv, Object.fromEntries(specs.map((s) => [s.name, s.name])));
  writeFileSync(path, `${code}\nexports.schemasSha256 = ${JSON.stringify(schemasHash(specs))};\n`);
}

/** A validator per action name: the standalone ones when fresh, else compiled with ajv when first asked for. */
export function actionValidators(specs: readonly NamedSchema[], path = ACTION_VALIDATORS_PATH): (name: string) => ValidateFunction | undefined {
  // Looked for at the first validation: most processes that list the actions never validate one.
  // undefined: not looked for yet; null: looked for and absent or stale (a `??=` would look
  // again at every call then, a file-system check per action applied).
  let loaded: Map<string, ValidateFunction> | null | undefined;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const compiled = new Map<string, ValidateFunction>();
  let ajv: AjvType | undefined;
  return (name) => {
    if (loaded === undefined) loaded = loadStandaloneActionValidators(path, specs);
    if (loaded) return loaded.get(name);
    let v = compiled.get(name);
    const spec = byName.get(name);
    if (!v && spec) {
      v = (ajv ??= newAjv(false)).compile(spec.parameters);
      compiled.set(name, v);
    }
    return v;
  };
}
