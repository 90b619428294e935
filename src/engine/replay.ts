import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withSimDb } from '../analysis/open.js';
import { RUN_FILES } from './run-folder.js';

/** A run folder cannot be replayed (no recording, or no folder). */
export class ReplayError extends Error {
  readonly code = 'run.replay_unavailable';
}

/** The recorded LLM responses of a run, by model key: what `--replay` answers from. */
export async function recordedResponses(runDir: string): Promise<Map<string, [string, string][]>> {
  const db = join(runDir, RUN_FILES.db);
  if (!existsSync(db)) throw new ReplayError(`${runDir} holds no ${RUN_FILES.db} to replay from`);
  const rows = await withSimDb(db, (q) =>
    q.query<{ model: string; request_hash: string; response: string }>(
      `SELECT model, request_hash, any_value(response)::VARCHAR AS response FROM llm_responses GROUP BY model, request_hash ORDER BY model, request_hash`,
    ),
  );
  const out = new Map<string, [string, string][]>();
  for (const r of rows) (out.get(r.model) ?? out.set(r.model, []).get(r.model)!).push([r.request_hash, r.response]);
  return out;
}
