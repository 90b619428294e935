import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withSimDb } from '../analysis/open.js';
import { RUN_FILES } from './run-folder.js';

/** A run folder cannot be replayed (no recording, or no folder). */
export class ReplayError extends Error {
  readonly code = 'run.replay_unavailable';
}

export interface Recording {
  /** Answered requests by model key: [request hash, response JSON]. */
  readonly replay: Map<string, [string, string][]>;
  /** Requests the run's budgets turned away, by model key: [request hash, error] (the replay turns them away again). */
  readonly refusals: Map<string, [string, string][]>;
}

/** The recorded LLM responses of a run, by model key: what `--replay` answers from. */
export async function recordedResponses(runDir: string): Promise<Recording> {
  const db = join(runDir, RUN_FILES.db);
  if (!existsSync(db)) throw new ReplayError(`${runDir} holds no ${RUN_FILES.db} to replay from`);
  return withSimDb(db, async (q) => {
    const rows = await q.query<{ model: string; request_hash: string; response: string }>(
      `SELECT model, request_hash, any_value(response)::VARCHAR AS response FROM llm_responses GROUP BY model, request_hash ORDER BY model, request_hash`,
    );
    const refused = await q.query<{ model: string; request_hash: string; error: string }>(
      `SELECT model, request_hash, any_value(error) AS error FROM llm_calls WHERE outcome = 'budget_exhausted' AND request_hash IS NOT NULL GROUP BY model, request_hash ORDER BY model, request_hash`,
    );
    const replay = new Map<string, [string, string][]>();
    for (const r of rows) (replay.get(r.model) ?? replay.set(r.model, []).get(r.model)!).push([r.request_hash, r.response]);
    const refusals = new Map<string, [string, string][]>();
    for (const r of refused) (refusals.get(r.model) ?? refusals.set(r.model, []).get(r.model)!).push([r.request_hash, r.error]);
    return { replay, refusals };
  });
}
