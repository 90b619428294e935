/**
 * Compiles `schemas/experiment.schema.json` once with ajv (draft 2020-12). The validator fills
 * defaults in place (`useDefaults`), reports every error (`allErrors`) and keeps the failing
 * schema in each error (`verbose`) so `messages.ts` can say what was expected.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';
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

let cached: { validate: ValidateFunction; schema: SchemaNode } | undefined;

type AddFormats = (ajv: Ajv2020) => unknown;

function addFormatsFn(): AddFormats {
  const mod = formatsModule as unknown as { default: AddFormats | { default: AddFormats } };
  const d = mod.default;
  return typeof d === 'function' ? d : d.default;
}

/** The parsed schema document. */
export function experimentSchema(): SchemaNode {
  return compiled().schema;
}

/** The compiled validator; mutates its argument (fills defaults). */
export function experimentValidator(): ValidateFunction {
  return compiled().validate;
}

function compiled(): { validate: ValidateFunction; schema: SchemaNode } {
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
  const ajv = new Ajv2020({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    // Time-like settings take a number or a duration string; activity a number or { per_hour }.
    allowUnionTypes: true,
  });
  addFormatsFn()(ajv);
  ajv.addVocabulary(['x-expected']);
  cached = { validate: ajv.compile(schema), schema };
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
