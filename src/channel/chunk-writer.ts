/**
 * Fills DuckDB data chunks straight through @duckdb/node-bindings, for the column types the
 * platform's tables use (INTEGER, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, VARCHAR). @duckdb/node-api's
 * vector classes copy each vector out of DuckDB when a chunk is made, keep a JS array of the
 * values set, update a BigInt validity mask per value and copy everything back: a million-agent
 * step spent some 5 s of its main thread there (trace, posts, the feed impressions). Here one
 * chunk serves a whole append: per chunk each column is written into a small reused typed
 * array and copied into its vector in one call, strings one call each, and a validity mask is
 * written only for a column with a NULL in that chunk.
 */
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Vector } from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBTimestampValue, INTEGER, TIMESTAMP, VARCHAR, duckdbBindings } from '../common/duckdb-api.js';

/** DuckDB's vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

/** Whether every type can be written here; other types (lists, blobs) go through @duckdb/node-api. */
export function writableDirectly(types: readonly DuckDBType[]): boolean {
  return types.every((t) => DIRECT_TYPES.has(t.typeId));
}

const DIRECT_TYPES = new Set<number>([INTEGER.typeId, BIGINT.typeId, DOUBLE.typeId, BOOLEAN.typeId, TIMESTAMP.typeId, VARCHAR.typeId]);

const TWO_32 = 2 ** 32;

/** One column's scratch: the chunk's values as bytes, and its validity bits (1 = a value). */
class ColumnScratch {
  private readonly bytes: ArrayBuffer;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly f64: Float64Array;
  private readonly u8: Uint8Array;
  private readonly validity = new Uint8Array(CHUNK_ROWS / 8);
  private nulls = false;

  constructor(
    private readonly typeId: number,
    private readonly vector: Vector,
  ) {
    this.bytes = new ArrayBuffer(CHUNK_ROWS * 8);
    this.i32 = new Int32Array(this.bytes);
    this.i64 = new BigInt64Array(this.bytes);
    this.f64 = new Float64Array(this.bytes);
    this.u8 = new Uint8Array(this.bytes);
  }

  /** Writes `n` values of the column (value(i) for i in 0..n) into the chunk's vector. */
  write(n: number, value: (i: number) => DuckDBValue): void {
    this.validity.fill(0xff);
    this.nulls = false;
    const b = duckdbBindings;
    switch (this.typeId) {
      case INTEGER.typeId:
        this.fillNumbers(this.i32, n, value);
        b.copy_data_to_vector(this.vector, 0, this.bytes, 0, n * 4);
        break;
      case DOUBLE.typeId:
        this.fillNumbers(this.f64, n, value);
        b.copy_data_to_vector(this.vector, 0, this.bytes, 0, n * 8);
        break;
      case BOOLEAN.typeId:
        this.fillNumbers(this.u8, n, (i) => {
          const v = value(i);
          return v === null ? null : v ? 1 : 0;
        });
        b.copy_data_to_vector(this.vector, 0, this.bytes, 0, n);
        break;
      case BIGINT.typeId:
      case TIMESTAMP.typeId:
        for (let i = 0; i < n; i++) {
          const v = value(i);
          if (v === null) this.setNull(i);
          else if (typeof v === 'number') this.setInt64(i, v);
          else if (typeof v === 'bigint') this.i64[i] = v;
          else if (v instanceof DuckDBTimestampValue) this.i64[i] = v.micros;
          else throw new TypeError(`not a 64-bit integer: ${String(v)}`);
        }
        b.copy_data_to_vector(this.vector, 0, this.bytes, 0, n * 8);
        break;
      case VARCHAR.typeId:
        for (let i = 0; i < n; i++) {
          const v = value(i);
          if (v === null) this.setNull(i);
          else b.vector_assign_string_element(this.vector, i, typeof v === 'string' ? v : String(v));
        }
        break;
      default:
        throw new TypeError(`no direct writer for DuckDB type ${this.typeId}`);
    }
    if (this.nulls) {
      b.vector_ensure_validity_writable(this.vector);
      b.copy_data_to_vector_validity(this.vector, 0, this.validity.buffer, 0, this.validity.byteLength);
    }
  }

  /** `n` numbers (or NULLs) into `target`, from the start of the column's bytes. */
  private fillNumbers(target: Int32Array | Float64Array | Uint8Array, n: number, value: (i: number) => DuckDBValue): void {
    for (let i = 0; i < n; i++) {
      const v = value(i);
      if (v === null) this.setNull(i);
      else target[i] = v as number;
    }
  }

  private setNull(i: number): void {
    this.validity[i >> 3]! &= ~(1 << (i & 7));
    this.nulls = true;
  }

  /** An integer number as int64, without a BigInt: its low and high 32 bits (little-endian). */
  private setInt64(i: number, v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
    const low = v >>> 0;
    this.i32[2 * i] = low;
    this.i32[2 * i + 1] = (v - low) / TWO_32;
  }
}

/**
 * Appends `rows` rows to `appender`. `chunkColumns(start, end)` gives, for the chunk of rows
 * [start, end), each column's values as a function of the row's place i in the chunk (row
 * start + i). Every type must pass `writableDirectly`.
 */
export function appendDirect(appender: DuckDBAppender, types: readonly DuckDBType[], rows: number, chunkColumns: (start: number, end: number) => readonly ((i: number) => DuckDBValue)[]): void {
  const chunk = DuckDBDataChunk.create(types);
  const b = duckdbBindings;
  const scratch = types.map((t, c) => new ColumnScratch(t.typeId, b.data_chunk_get_vector(chunk.chunk, c)));
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    // Back to an empty chunk: validity all set again and the previous chunk's strings freed.
    b.data_chunk_reset(chunk.chunk);
    const columns = chunkColumns(start, start + n);
    scratch.forEach((s, c) => s.write(n, columns[c]!));
    b.data_chunk_set_size(chunk.chunk, n);
    appender.appendDataChunk(chunk);
  }
}

/** The first `rows` values of DOUBLE columns, each chunk's part copied from the arrays in one call a column. */
export function appendDoubleChunks(appender: DuckDBAppender, columns: readonly Float64Array[], rows: number): void {
  for (const column of columns) if (column.length < rows) throw new RangeError(`a column of ${column.length} values for ${rows} rows`);
  const chunk = DuckDBDataChunk.create(columns.map(() => DOUBLE));
  const b = duckdbBindings;
  const vectors = columns.map((_, c) => b.data_chunk_get_vector(chunk.chunk, c));
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    columns.forEach((column, c) => b.copy_data_to_vector(vectors[c]!, 0, column.buffer as ArrayBuffer, column.byteOffset + start * 8, n * 8));
    b.data_chunk_set_size(chunk.chunk, n);
    appender.appendDataChunk(chunk);
  }
}
