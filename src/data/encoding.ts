/**
 * Text encodings of data files, checked: Node's own UTF-8 decoding turns a Latin-1 "é" into
 * U+FFFD silently. Kept apart from rows.ts so the config loader can use it without DuckDB.
 */

export type TextEncoding = 'utf-8' | 'latin1';

/** A file whose bytes are not text in its encoding: the 1-based line of the first bad byte. */
export class EncodingError extends Error {
  readonly code = 'EENCODING';
  constructor(readonly line: number) {
    super(`not valid UTF-8 (a Latin-1 or Windows-1252 file?); convert the file to UTF-8, or add encoding: latin1`);
  }
}

/** A whole small file's bytes as UTF-8, or the `EncodingError` of its first bad line. */
export function strictUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    throw new EncodingError(1 + newlines(lenient, lenient.indexOf('\uFFFD')));
  }
}

/** Newlines in `text` before `end`. */
export function newlines(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

