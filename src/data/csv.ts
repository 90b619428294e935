/**
 * An incremental RFC 4180 CSV parser: feed it text chunks as they stream in, get whole records
 * out. Quoted fields may hold commas, newlines and doubled quotes; records end with LF or CRLF.
 * Hand-written rather than a dependency because the project's needs are small and this keeps
 * the line numbers exact (a record's line is where it starts, counting embedded newlines).
 */

export interface CsvRecord {
  readonly fields: string[];
  /** 1-based line of the file where the record starts. */
  readonly line: number;
  /** Set when the record breaks the quoting rules; its fields are then a best effort. */
  readonly error?: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export class CsvParser {
  private fields: string[] = [];
  /** The current field's text from earlier chunks (or before an escaped quote). */
  private field = '';
  private atFieldStart = true;
  private inQuotes = false;
  /** Just read a quote that closes a quoted field, or is the first of a doubled quote. */
  private afterQuote = false;
  /** The previous chunk ended in CR: an LF opening this one belongs to it. */
  private pendingCR = false;
  private line = 1;
  private recordLine = 1;
  private error: string | undefined;
  private first = true;

  /** Parses `chunk`, appending every record it completes to `out`. */
  push(chunk: string, out: CsvRecord[]): void {
    let i = 0;
    if (this.first) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
    }
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk.charCodeAt(i) === LF) i++;
    }
    let start = i;
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inQuotes) {
        if (c === QUOTE) {
          this.field += chunk.slice(start, i);
          this.inQuotes = false;
          this.afterQuote = true;
          start = i + 1;
        } else if (c === LF) this.line++;
        continue;
      }
      if (this.afterQuote) {
        this.afterQuote = false;
        if (c === QUOTE) {
          // A doubled quote inside a quoted field: one literal quote, and still quoted.
          this.field += '"';
          this.inQuotes = true;
          start = i + 1;
          continue;
        }
        if (c !== COMMA && c !== LF && c !== CR) this.error ??= `unexpected text after a closing quote (a quote inside a quoted field must be doubled: "")`;
      }
      if (c === COMMA) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.field = '';
        this.atFieldStart = true;
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.fields.push(this.field + chunk.slice(start, i));
        this.endRecord(out);
        this.line++;
        if (c === CR) {
          if (i + 1 < n) {
            if (chunk.charCodeAt(i + 1) === LF) i++;
          } else this.pendingCR = true;
        }
        start = i + 1;
      } else if (c === QUOTE && this.atFieldStart) {
        this.inQuotes = true;
        this.atFieldStart = false;
        start = i + 1;
      } else {
        // A quote in the middle of an unquoted field is kept as text, as most writers expect.
        this.atFieldStart = false;
      }
    }
    this.field += chunk.slice(start, n);
    if (this.field.length > 0) this.atFieldStart = false;
  }

  /** Call once after the last chunk: completes a final record without a line break. */
  end(out: CsvRecord[]): void {
    if (this.inQuotes) {
      this.error ??= 'a quoted field is never closed (the file ends inside quotes)';
      this.inQuotes = false;
    }
    if (this.fields.length > 0 || this.field.length > 0 || !this.atFieldStart) {
      this.fields.push(this.field);
      this.endRecord(out);
    }
  }

  private endRecord(out: CsvRecord[]): void {
    const fields = this.fields;
    // A blank line is no record (and a trailing newline at the end of the file is no row).
    const blank = fields.length === 1 && fields[0] === '' && this.error === undefined;
    if (!blank) out.push(this.error === undefined ? { fields, line: this.recordLine } : { fields, line: this.recordLine, error: this.error });
    this.fields = [];
    this.field = '';
    this.atFieldStart = true;
    this.afterQuote = false;
    this.error = undefined;
    this.recordLine = this.line + 1;
  }
}
