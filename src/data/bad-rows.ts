/** What goes wrong reading a dataset, and what `on_bad_row` does about it. */

export type DatasetErrorCode =
  /** A row that cannot be loaded, under `on_bad_row: fail`. */
  | 'dataset.bad_row'
  /** The file's bytes are not text in its encoding (not UTF-8, unless encoding: latin1). */
  | 'dataset.encoding'
  /** The file cannot be opened or read. */
  | 'dataset.unreadable'
  /** The header lacks a column the config names or needs: no row could load. */
  | 'dataset.columns'
  /** The population asks for more dataset users than the file has. */
  | 'dataset.too_few_users';

/** A problem with the data (not a bug): the message says where and how to fix it. */
export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    /** The file as written in the experiment, when the problem is in one. */
    readonly file?: string,
    readonly line?: number,
    /** The file's column (or JSON key). */
    readonly column?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * `data/users.csv:17: column "followers_count": expected an integer, got "12x"`; a column
 * mapped from another field name adds it: `column "n_followers" (followers_count): ...`.
 */
export function locate(file: string, line: number | undefined, column: string | undefined, reason: string, field?: string): string {
  const col = column === undefined ? '' : `column "${column}"${field !== undefined && field !== column ? ` (${field})` : ''}: `;
  return `${file}${line === undefined ? '' : `:${line}`}: ${col}${reason}`;
}

/** How many rows a load left out and why (the first few), so a skip is never silent. */
export interface SkipReport {
  readonly skipped: number;
  /** The first `EXAMPLES` reasons, each located as file:line: column: reason. */
  readonly examples: readonly string[];
}

export const EXAMPLES = 5;

/** A problem with one row, raised while mapping it and caught by the table loop. */
export class RowProblem {
  constructor(
    /** The canonical field, or undefined for a problem with the row as a whole. */
    readonly field: string | undefined,
    readonly reason: string,
  ) {}
}

/** Applies `on_bad_row`: throws the first bad row, or counts them and keeps a few examples. */
export class BadRows implements SkipReport {
  skipped = 0;
  readonly examples: string[] = [];

  constructor(
    readonly file: string,
    readonly policy: 'fail' | 'skip',
  ) {}

  report(line: number, column: string | undefined, reason: string, field?: string): void {
    const message = locate(this.file, line, column, reason, field);
    if (this.policy === 'fail') throw new DatasetError('dataset.bad_row', message, this.file, line, column);
    this.skipped++;
    if (this.examples.length < EXAMPLES) this.examples.push(message);
  }

  summary(): SkipReport {
    return { skipped: this.skipped, examples: [...this.examples] };
  }
}
