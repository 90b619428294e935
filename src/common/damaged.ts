/**
 * A run folder file that exists but cannot be read as what it should be (run.json that is not
 * JSON, a sim.duckdb that is not a database): the user's folder is damaged, socialsim is not at
 * fault, so the CLI says so in one line (exit 2) instead of reporting a bug.
 */
export class DamagedRunError extends Error {
  readonly code = 'run.damaged';
  readonly exitCode = 2;
  constructor(file: string, why: string) {
    // The parser's own words may quote the file: a short excerpt at most.
    const reason = why.split('\n')[0]!.slice(0, 120);
    super(`${file} is damaged (${reason}); restore it, or start the run again with socialsim run --force`);
  }
}
