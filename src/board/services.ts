import type { RunDatabases } from './results.js';

/** What every route shares besides its request. */
export interface BoardServices {
  /** Read-only database handles of finished runs. */
  readonly dbs: RunDatabases;
}
