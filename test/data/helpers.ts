import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { DatasetTableConfig } from '../../src/config/types.js';
import { DatasetError } from '../../src/data/bad-rows.js';
import { tempDir } from '../helpers/tmp.js';

/** Writes `files` (name → text; names ending .gz are gzipped) into a fresh temp folder. */
export function dataDir(files: Readonly<Record<string, string>>): string {
  const dir = tempDir('socialsim-data-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(text) : text);
  return dir;
}

export function table<C extends string>(path: string, over: Partial<DatasetTableConfig<C>> = {}): DatasetTableConfig<C> {
  const columns = {} as DatasetTableConfig<C>['columns'];
  return { path, columns, on_bad_row: 'fail', ...over };
}

/** The DatasetError a load throws. */
export async function failure(load: Promise<unknown>): Promise<DatasetError> {
  const err = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}
