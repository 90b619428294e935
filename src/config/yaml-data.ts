/**
 * A parsed YAML document to plain data, with the yaml package's resource limit turned into a
 * located issue: an "alias bomb" (anchors referring to anchors, each alias multiplying the
 * nodes) makes `toJS` throw a bare ReferenceError with no position.
 */
import { isAlias, visit, type Document, type LineCounter } from 'yaml';
import { ConfigError, type ConfigIssue } from './issues.js';

/** The message of an alias bomb, wherever YAML text is read (files and --set values). */
export const ALIAS_BOMB_MESSAGE =
  'YAML aliases expand to too many nodes (an "alias bomb"); write the repeated values out, or use fewer aliases of aliases';

/** `doc.toJS()`, or a ConfigError at the first alias of the document when the aliases expand too far. */
export function documentData(doc: Document, lc: LineCounter | undefined, file: string): unknown {
  try {
    return doc.toJS();
  } catch (e) {
    if (!isAliasExhaustion(e)) throw e;
    throw new ConfigError([aliasIssue(doc, lc, file)]);
  }
}

/** The yaml package's `maxAliasCount` error (a ReferenceError whose message is its only mark). */
export function isAliasExhaustion(e: unknown): boolean {
  return e instanceof ReferenceError && /alias count/i.test(e.message);
}

function aliasIssue(doc: Document, lc: LineCounter | undefined, file: string): ConfigIssue {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const pos = offset !== undefined && lc ? lc.linePos(offset) : undefined;
  return pos ? { file, line: pos.line, col: pos.col, path: '', message: ALIAS_BOMB_MESSAGE } : { file, path: '', message: ALIAS_BOMB_MESSAGE };
}
