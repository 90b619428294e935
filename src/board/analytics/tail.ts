/**
 * Follows a growing events.jsonl: hands each new complete line to `onLines`, once. The engine
 * appends whole lines, but a read can land mid-write, so the part after the last newline waits
 * for the next read. fs.watch wakes it early; a poll (`pollMs`) catches what fs.watch misses
 * (network file systems, a file that did not exist yet). `close()` stops both.
 */
import { closeSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';

export interface Tail {
  /** Reads what was appended since the last read now (also run by the watcher and the poll). */
  readNow(): void;
  close(): void;
}

export function tailLines(file: string, onLines: (lines: string[]) => void, opts: { readonly pollMs?: number; readonly onTick?: () => void } = {}): Tail {
  let offset = 0;
  let closed = false;
  let watcher: FSWatcher | null = null;

  const readNow = (): void => {
    if (closed) return;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // not written yet
    }
    if (size < offset) offset = 0; // replaced (run --force): start again
    if (size === offset) return;
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    let got: number;
    try {
      got = readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    // Only up to the last newline: bytes after it are a line still being written (and may split a UTF-8 character).
    const end = buf.subarray(0, got).lastIndexOf(0x0a);
    if (end < 0) return;
    offset += end + 1;
    const lines = buf.toString('utf8', 0, end).split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 0) onLines(lines);
  };

  const startWatch = (): void => {
    if (watcher || closed) return;
    try {
      watcher = watch(file, () => readNow());
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // no file yet: the poll reads it and retries the watch
    }
  };

  const timer = setInterval(() => {
    startWatch();
    readNow();
    opts.onTick?.();
  }, opts.pollMs ?? 500);
  startWatch();
  return {
    readNow,
    close: () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
      watcher = null;
    },
  };
}
