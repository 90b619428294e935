/**
 * What a section shows when it has nothing to draw: what is missing and how to get it (the
 * setting to add, the command to run), never an empty frame.
 */
import { escapeHtml } from '../html.js';
import type { ReportContext } from '../types.js';

/** For sections that read the text agents wrote. */
export const NO_POSTS = 'No agent wrote a post with text during this run: statistical agents write with models.<name>.post_prob (and reply_prob, quote_prob), LLM agents when their model calls create_post, reply or quote_post.';

/** `<p class="empty">` with the (escaped) text. */
export function emptyNote(text: string): string {
  return `<p class="empty">${escapeHtml(text)}</p>`;
}

/** For the per-step charts of a run with no committed step, or with steps where nobody acted. */
export async function noStepsNote(q: ReportContext, what: string): Promise<string> {
  const row = await q.db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM steps');
  const steps = row?.n ?? 0;
  if (steps === 0) {
    return emptyNote(`No step was committed in this run, so there are no ${what} to draw: socialsim resume ${q.runDir} continues it.`);
  }
  return emptyNote(
    `No ${what} in this run's ${steps} step${steps === 1 ? '' : 's'}: agents act with their cohort's activity per step (cohorts[].activity), scaled by the hour-of-day profile (activation).`,
  );
}
