/**
 * The errors a distributed run ends with, apart from the pool so the engine and the CLI can
 * recognise them without loading BullMQ and ioredis (a quarter of a second at start).
 */
/** Redis stopped answering; the run stops, resumable. */
export class RedisLostError extends Error {
  readonly code = 'run.redis_lost';
  constructor(
    message: string,
    /** The run folder to resume, once the run has recorded the stop. */
    readonly runDir?: string,
  ) {
    super(message);
  }
}

/** A worker failed a job (not an endpoint fault, which comes back as a failed decision): e.g. a key missing on its machine. */
export class RemoteJobError extends Error {
  readonly code = 'run.worker_failed';
}
