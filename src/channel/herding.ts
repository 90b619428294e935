/**
 * The herding experiment's hand on the platform (experiment.herding, engine/herding.ts): a
 * hidden account of kind `platform` likes (arm up) or dislikes (arm down) a post, and the
 * post's arm goes to the `herding` table. The vote is an ordinary likes / dislikes row, so it
 * is in the counts agents and recommenders see; it is not an agent action, so not in `trace`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { BIGINT, INTEGER, VARCHAR } from '../common/duckdb-api.js';
import type { HerdingRow, StepBatch } from './batch.js';
import { appendColumns, big } from './chunks.js';
import { ChannelState } from './state.js';

export type HerdingArm = HerdingRow['arm'];

/** Username of the platform's voting account (an underscore is added while it is taken). */
export const PLATFORM_USERNAME = 'platform_votes';

/**
 * The platform's voting account: the one the run already has, or a new one (the id after every
 * account's) added to the step's batch, so it is created in the first step that treats a post.
 */
export function platformAccount(state: ChannelState, batch: StepBatch): number {
  let maxId = -1;
  for (const [id, u] of state.users) {
    if (u.kind === 'platform') return id;
    if (id > maxId) maxId = id;
  }
  const userId = maxId + 1;
  let username = PLATFORM_USERNAME;
  while (state.usernames.has(username)) username += '_';
  const name = 'Platform';
  const bio = 'Casts the herding experiment\u2019s votes; hidden from agents.';
  state.addUser(userId, { username, name, bio, kind: 'platform' });
  batch.users.push({ userId, username, name, bio, cohort: 'platform', model: 'platform', kind: 'platform', persona: JSON.stringify({ role: 'herding' }) });
  return userId;
}

/** Records `postId`'s arm and casts its treatment vote from `voter` (nothing for control). */
export function treatPost(state: ChannelState, batch: StepBatch, voter: number, postId: number, arm: HerdingArm): void {
  if (arm === 'up' && ChannelState.addTo(state.likes, voter, postId)) {
    const restored = batch.likes.add(voter, postId);
    state.engagement.like(voter, postId, batch.step, restored);
  } else if (arm === 'down' && ChannelState.addTo(state.dislikes, voter, postId)) {
    batch.dislikes.add(voter, postId);
    state.engagement.dislike(postId, 1);
  }
  batch.herding.push({ postId, arm });
}

/** Writes the step's assignments (the votes go with the step's likes and dislikes). */
export async function writeHerding(conn: DuckDBConnection, batch: StepBatch): Promise<void> {
  const h = batch.herding;
  await appendColumns(conn, 'herding', [BIGINT, VARCHAR, INTEGER], [h.map((r) => big(r.postId)), h.map((r) => r.arm), h.map(() => batch.step)]);
}
