/**
 * The values socialsim uses from @duckdb/node-api, loaded with require rather than import. The
 * package is CommonJS: an ES import makes Node scan each of its ~180 modules for export names
 * (cjs-module-lexer) before loading them, which doubled the cost of loading it: 0.47 s of CPU
 * against 0.25 s, in every process that opens DuckDB (each command, sweep child and report).
 * Modules take the package's types from it directly with `import type`.
 */
import { createRequire } from 'node:module';
import type * as DuckDB from '@duckdb/node-api';
import type * as Bindings from '@duckdb/node-bindings';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDB;
/**
 * The C API bindings @duckdb/node-api itself loads (resolved from its own folder, so never a
 * second copy of DuckDB), for writing data chunks without its per-value vector classes
 * (channel/chunk-writer.ts).
 */
export const duckdbBindings = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'))('@duckdb/node-bindings') as typeof Bindings;

export const { BIGINT, BLOB, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, blobValue, DuckDBBlobValue, DuckDBDataChunk, DuckDBInstance, DuckDBTimestampValue } = duckdb;
// The classes are types too.
export type DuckDBBlobValue = DuckDB.DuckDBBlobValue;
export type DuckDBDataChunk = DuckDB.DuckDBDataChunk;
export type DuckDBInstance = DuckDB.DuckDBInstance;
export type DuckDBTimestampValue = DuckDB.DuckDBTimestampValue;
