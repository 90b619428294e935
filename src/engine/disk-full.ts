/** A write failed because the disk (or the user's quota) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  // DuckDB reports its own IO errors as messages: "… No space left on device".
  return err instanceof Error && /no space left on device|disk quota exceeded|\bENOSPC\b/i.test(err.message);
}

/** The run stopped on a full disk; its folder is resumable once space is freed. */
export class DiskFullError extends Error {
  readonly code = 'run.disk_full';
  constructor(
    readonly dir: string,
    /** Where: "at step 3", "before step 0", "writing the report". */
    readonly where: string,
    /** The first error, as the system gave it. */
    readonly causeMessage: string,
  ) {
    super(`disk full ${where}; free space and run socialsim resume ${dir} (${causeMessage})`);
  }
}
