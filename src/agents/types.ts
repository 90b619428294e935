import type { AgentAction } from '../channel/actions/types.js';
import type { PostView } from '../channel/snapshot.js';
import type { Persona } from '../data/personas.js';

/** What one active agent sees at the start of a step. */
export interface Observation {
  readonly step: number;
  /** Sim time of the step start, ISO-8601. */
  readonly simTime: string;
  /** The agent's feed, rank order; posts deleted or aged out of the window are dropped. */
  readonly feed: readonly PostView[];
  readonly followees: ReadonlySet<number>;
  readonly liked: ReadonlySet<number>;
  readonly reposted: ReadonlySet<number>;
}

export interface DecisionRequest {
  readonly persona: Persona;
  readonly observation: Observation;
}

/**
 * Turns observations into actions. Async so LLM policies (worker threads, HTTP) and the
 * in-process statistical policy share one engine path; `decideAll` returns one action list
 * per request, in request order, and must not let a single agent's failure reject the batch.
 */
export interface AgentPolicy {
  readonly name: string;
  decideAll(step: number, requests: readonly DecisionRequest[]): Promise<AgentAction[][]>;
}
