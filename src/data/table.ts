/**
 * The loop every table loader shares: stream the file, map canonical fields to the file's
 * columns, hand each row to the loader, and route every problem through `on_bad_row`.
 */
import { isAbsolute, resolve } from 'node:path';
import { didYouMean } from '../config/suggest.js';
import type { DatasetTableConfig } from '../config/types.js';
import { BadRows, DatasetError, locate, RowProblem } from './bad-rows.js';
import { EncodingError, formatOf, tableEvents, type JsonObject, type JsonValue, type TextEncoding, type TableFormat } from './rows.js';

export interface FieldSpec {
  readonly name: string;
  readonly required?: boolean;
  /** Column names tried, in order, when neither a mapping nor a column of the field's name exists. */
  readonly aliases?: readonly string[];
}

/** One table to read: where it is, how it is shaped, and its bad-row bookkeeping. */
export interface TableInput {
  /** The path as written in the experiment: what messages show. */
  readonly file: string;
  readonly path: string;
  readonly format: TableFormat;
  readonly columns: Readonly<Record<string, string | undefined>>;
  readonly bad: BadRows;
  readonly encoding?: TextEncoding;
}

export function tableInput(cfg: DatasetTableConfig, baseDir: string): TableInput {
  const format = cfg.format ?? formatOf(cfg.path);
  if (!format) throw new DatasetError('dataset.unreadable', locate(cfg.path, undefined, undefined, 'cannot tell the format from the extension; add format: csv, jsonl or parquet'), cfg.path);
  return {
    file: cfg.path,
    path: isAbsolute(cfg.path) ? cfg.path : resolve(baseDir, cfg.path),
    format,
    columns: cfg.columns ?? {},
    bad: new BadRows(cfg.path, cfg.on_bad_row ?? 'fail'),
    ...(cfg.encoding ? { encoding: cfg.encoding } : {}),
  };
}

/**
 * The current row seen through the field mapping. One object is reused for every row of a
 * table (a loader must not keep it): at a million rows, per-row wrappers cost more than parsing.
 */
export interface Cells {
  readonly line: number;
  /**
   * 0-based position of the row among the file's data rows, bad ones included (the header and
   * blank lines are no rows): what pandas calls the row index, which OASIS's follow lists use.
   */
  readonly row: number;
  get(field: string): JsonValue | undefined;
  /** The file's column (or key) the field reads. */
  column(field: string): string;
  /** The row's cells outside the loader's fields, absent and empty ones left out. */
  extra(): Record<string, JsonValue>;
}

/** A column name short enough to suggest whole. */
const short = (name: string): boolean => name.length <= 40;

/**
 * The header in a message: a few names, each truncated, 200 bytes at most. A "header" may be the
 * first line of any file at all (/etc/shadow, a key file), and messages reach terminals and logs.
 */
export function shownColumns(header: readonly string[], maxBytes = 200): string {
  const names = header.slice(0, 8).map((h) => (h.length > 24 ? `${h.slice(0, 21)}...` : h));
  let out = '';
  for (const name of names) {
    const next = out === '' ? name : `${out}, ${name}`;
    if (Buffer.byteLength(next) > maxBytes - 40) break;
    out = next;
  }
  const left = header.length - out.split(', ').filter((x) => x !== '').length;
  return left > 0 ? `${out}${out ? ', ' : ''}… (${left} more column${left === 1 ? '' : 's'})` : out;
}

/** CSV: the mapping is fixed once from the header. */
class CsvCells implements Cells {
  line = 0;
  row = 0;
  cells: readonly string[] = [];
  private readonly index = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private readonly others: number[];

  constructor(
    input: TableInput,
    fields: readonly FieldSpec[],
    private readonly header: readonly string[],
  ) {
    const have = new Map(header.map((h, i) => [h, i]));
    const shownHeader = header.length > 0 ? `the header has: ${shownColumns(header)}` : 'the file has no header row';
    for (const f of fields) {
      const mapped = input.columns[f.name];
      // A mapped or required column missing from the header stops the load: no row could be read.
      if (mapped !== undefined && !have.has(mapped)) {
        throw new DatasetError('dataset.columns', locate(input.file, 1, undefined, `no column "${mapped}" (mapped from ${f.name} in columns); ${shownHeader}${didYouMean(mapped, header.filter(short))}`), input.file, 1, mapped);
      }
      const name = mapped ?? [f.name, ...(f.aliases ?? [])].find((c) => have.has(c));
      if (name === undefined && f.required) {
        throw new DatasetError('dataset.columns', locate(input.file, 1, undefined, `no column "${f.name}" (required); ${shownHeader}; name the column with columns: { ${f.name}: <column> }${didYouMean(f.name, header.filter(short))}`), input.file, 1, f.name);
      }
      this.names.set(f.name, name ?? f.name);
      if (name !== undefined) this.index.set(f.name, have.get(name) as number);
    }
    const used = new Set(this.index.values());
    // A column without a name (the index pandas writes first) is no field: nothing to keep.
    this.others = header.map((_, i) => i).filter((i) => !used.has(i) && header[i] !== '');
  }

  get(field: string): JsonValue | undefined {
    const i = this.index.get(field);
    const v = i === undefined ? undefined : this.cells[i];
    return v === '' ? undefined : v;
  }

  column(field: string): string {
    return this.names.get(field) ?? field;
  }

  extra(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const i of this.others) if (this.cells[i]) out[this.header[i] as string] = this.cells[i] as string;
    return out;
  }
}

/** JSONL: keys vary by line, so a field's key is decided per row. */
class JsonCells implements Cells {
  line = 0;
  row = 0;
  cells: JsonObject = {};

  constructor(
    private readonly input: TableInput,
    private readonly fields: readonly FieldSpec[],
  ) {}

  private has(key: string): boolean {
    return Object.hasOwn(this.cells, key) && this.cells[key] !== undefined;
  }

  get(field: string): JsonValue | undefined {
    const key = this.column(field);
    return Object.hasOwn(this.cells, key) ? this.cells[key] : undefined;
  }

  column(field: string): string {
    const mapped = this.input.columns[field];
    if (mapped !== undefined || this.has(field)) return mapped ?? field;
    return this.fields.find((f) => f.name === field)?.aliases?.find((a) => this.has(a)) ?? field;
  }

  extra(): Record<string, JsonValue> {
    const used = new Set(this.fields.map((f) => this.column(f.name)));
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(this.cells)) if (!used.has(k) && v !== null && v !== '') out[k] = v;
    return out;
  }
}

/**
 * Calls `onRow` for each row that reads; a `RowProblem` it throws, like a row the file itself
 * garbles, goes to `on_bad_row` located by file, line and column.
 * @returns how many data rows the file has, bad ones included.
 */
export async function readTable(input: TableInput, fields: readonly FieldSpec[], onRow: (cells: Cells) => void): Promise<number> {
  const json = new JsonCells(input, fields);
  let csv: CsvCells | undefined;
  let rows = 0;
  try {
    for await (const batch of tableEvents(input.path, input.format, input.encoding)) {
      for (const e of batch) {
        if (e.kind === 'header') csv = new CsvCells(input, fields, e.columns);
        else if (e.kind === 'bad') {
          rows++;
          input.bad.report(e.line, undefined, e.reason);
        } else {
          let cells: CsvCells | JsonCells;
          if (Array.isArray(e.cells)) (cells = csv as CsvCells).cells = e.cells as readonly string[];
          else (cells = json).cells = e.cells as JsonObject;
          cells.line = e.line;
          cells.row = rows++;
          try {
            onRow(cells);
          } catch (err) {
            if (!(err instanceof RowProblem)) throw err;
            input.bad.report(e.line, err.field === undefined ? undefined : cells.column(err.field), err.reason, err.field);
          }
        }
      }
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    if (err instanceof EncodingError) throw new DatasetError('dataset.encoding', locate(input.file, err.line, undefined, err.message), input.file, err.line);
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('Z_'))) {
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new DatasetError('dataset.unreadable', locate(input.file, undefined, undefined, `cannot read the file (${input.path}): ${why}`), input.file);
    }
    throw err;
  }
  return rows;
}
