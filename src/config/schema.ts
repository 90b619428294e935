/**
 * The experiment schema's validator (ajv, draft 2020-12). It fills defaults in place
 * (`useDefaults`), reports every error (`allErrors`) and keeps the failing schema in each error
 * (`verbose`) so `messages.ts` can say what was expected.
 *
 * Compiling the schema costs about 0.3 s and loading ajv's compiler as much again, in every
 * process: most of a short command's start. So the build writes the compiled validator as
 * standalone code (`dist/experiment-validator.cjs`, ajv's standalone mode, stamped with the
 * schema's hash) and a process loads that instead; it compiles the schema itself only when the
 * file is missing or was made from another schema (an edited schema running from source).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageFile } from '../common/packages.js';

export type SchemaError = ErrorObject;

/** A JSON Schema node as far as the message translator needs to read it. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly minProperties?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly oneOf?: readonly SchemaNode[];
  readonly $ref?: string;
  readonly 'x-expected'?: string;
  readonly [key: string]: unknown;
}

/** The experiment schema, `schemas/experiment.schema.json` in socialsim's folder (from source or dist). */
export const SCHEMA_PATH = packageFile('schemas/experiment.schema.json');

/** Where the build writes the standalone validator. */
export const STANDALONE_PATH = packageFile('dist/experiment-validator.cjs');

// ajv is CommonJS: required on demand so a process with a fresh standalone validator never loads it.
const require = createRequire(import.meta.url);

let cached: { validate: ValidateFunction; schema: SchemaNode } | undefined;

type AddFormats = (ajv: Ajv2020) => unknown;

function newAjv(source: boolean): Ajv2020 {
  const { Ajv2020: AjvClass } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new AjvClass({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    // Time-like settings take a number or a duration string; activity a number or { per_hour }.
    allowUnionTypes: true,
    ...(source ? { code: { source: true } } : {}),
  });
  (require('ajv-formats') as AddFormats)(ajv);
  ajv.addVocabulary(['x-expected']);
  return ajv;
}

function schemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The parsed schema document. */
export function experimentSchema(): SchemaNode {
  return compiled().schema;
}

/** The compiled validator; mutates its argument (fills defaults). */
export function experimentValidator(): ValidateFunction {
  return compiled().validate;
}

/** The validator ajv compiles from the schema now, leaving the standalone file aside (for tests). */
export function compileExperimentValidator(): ValidateFunction {
  return newAjv(false).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode);
}

/** The standalone validator at `path` if it was made from this schema text, else null. */
export function loadStandaloneValidator(path: string, schemaText: string): ValidateFunction | null {
  if (!existsSync(path)) return null;
  const mod = require(path) as { default?: ValidateFunction; schemaSha256?: string };
  return mod.schemaSha256 === schemaHash(schemaText) && typeof mod.default === 'function' ? mod.default : null;
}

/** Writes the standalone validator of the current schema to `path` (the build does, to STANDALONE_PATH). */
export function writeStandaloneValidator(path = STANDALONE_PATH): void {
  const text = readFileSync(SCHEMA_PATH, 'utf8');
  const ajv = newAjv(true);
  const validate = ajv.compile(JSON.parse(text) as SchemaNode);
  const standaloneCode = (require('ajv/dist/standalone/index.js') as { default: (a: Ajv2020, v: ValidateFunction) => string }).default;
  writeFileSync(path, `${standaloneCode(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(schemaHash(text))};\n`);
}

function compiled(): { validate: ValidateFunction; schema: SchemaNode } {
  if (cached) return cached;
  const text = readFileSync(SCHEMA_PATH, 'utf8');
  const schema = JSON.parse(text) as SchemaNode;
  const validate = loadStandaloneValidator(STANDALONE_PATH, text) ?? newAjv(false).compile(schema);
  cached = { validate, schema };
  return cached;
}

/** Follows a local `#/$defs/...` reference. */
export function deref(node: SchemaNode | undefined): SchemaNode | undefined {
  let cur = node;
  for (let i = 0; cur?.$ref !== undefined && i < 10; i++) {
    const ref: string = cur.$ref;
    if (!ref.startsWith('#/')) return cur;
    let target: unknown = experimentSchema();
    for (const seg of ref.slice(2).split('/')) {
      target = (target as Record<string, unknown> | undefined)?.[seg];
    }
    cur = target as SchemaNode | undefined;
  }
  return cur;
}
