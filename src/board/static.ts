/**
 * Files the pages load: the board's own scripts and style sheet (src/board/client/, plain
 * browser JavaScript with no build step) and the vega bundles from node_modules. Only names on
 * these two lists are served, so no request can read another file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/packages.js';
import { loadVegaLibs } from '../report/libs.js';
import { BoardError, type Reply } from './http.js';

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

let clientFiles: Map<string, string> | undefined;

/** The board's client folder: beside the sources (the compiled CLI does not copy it). */
export function clientDir(): string {
  return join(packageRoot(), 'src', 'board', 'client');
}

function clientFile(name: string): string | undefined {
  clientFiles ??= new Map(readdirSync(clientDir()).filter((f) => /^[\w.-]+\.(js|css)$/.test(f)).map((f) => [f, join(clientDir(), f)]));
  const file = clientFiles.get(name);
  // Read at each request: editing a page script needs no restart (the files are small).
  return file === undefined ? undefined : readFileSync(file, 'utf8');
}

export function staticReply(name: string): Reply {
  const lib = /^lib\/(vega|vega-lite|vega-embed)\.js$/.exec(name);
  if (lib) {
    const code = loadVegaLibs().find((l) => l.name === lib[1])!.code;
    return { kind: 'text', body: code, type: TYPES.js!, cache: true };
  }
  const body = clientFile(name);
  if (body === undefined) throw new BoardError(404, `no file /static/${name.slice(0, 100)}`);
  return { kind: 'text', body, type: TYPES[name.split('.').pop()!]!, cache: false };
}
