import { EndpointOutageError } from '../engine/outage.js';
import { EndpointsUnreachableError } from '../engine/preflight.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown } from './run-dir.js';

/**
 * The one-line errors of dead endpoints: refused before the run starts (exit 2, nothing was
 * run), or stopped by an outage longer than max_outage (exit 1, the folder is resumable).
 * Null for any other error.
 */
export function endpointCliError(err: unknown): CliError | null {
  if (err instanceof EndpointsUnreachableError) return new CliError(err.code, err.message, EXIT_INVALID_INPUT);
  if (err instanceof EndpointOutageError) {
    const resume = err.runDir !== undefined ? `; once the servers answer again, continue with: socialsim resume ${shown(err.runDir)}` : '';
    return new CliError(err.code, `${err.message}${resume}`);
  }
  return null;
}
