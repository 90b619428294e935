import { EndpointOutageError } from '../engine/outage.js';
import { EndpointsUnreachableError } from '../engine/preflight.js';
import { RedisLostError, RemoteJobError } from '../distributed/errors.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown } from './run-dir.js';

/**
 * The one-line errors of dead endpoints: refused before the run starts (exit 2, nothing was
 * run), or stopped by an outage longer than max_outage (exit 1, the folder is resumable).
 * Redis lost mid-run (exit 1, resumable) and a job a worker failed are said in one line too.
 * Null for any other error.
 */
export function endpointCliError(err: unknown): CliError | null {
  if (err instanceof EndpointsUnreachableError) return new CliError(err.code, err.message, EXIT_INVALID_INPUT);
  if (err instanceof EndpointOutageError) {
    const resume = err.runDir !== undefined ? `; once the servers answer again, continue with: socialsim resume ${shown(err.runDir)}` : '';
    return new CliError(err.code, `${err.message}${resume}`);
  }
  if (err instanceof RedisLostError) {
    const resume = err.runDir !== undefined ? `; once Redis answers again (and workers are running), continue with: socialsim resume ${shown(err.runDir)}` : '';
    return new CliError(err.code, `${err.message}${resume}`);
  }
  if (err instanceof RemoteJobError) return new CliError(err.code, err.message);
  return null;
}
