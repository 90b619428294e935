import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Channel } from '../channel/channel.js';
import type { Experiment } from '../config/types.js';
import { budgetStatus } from './budget.js';
import { SimClock } from './clock.js';
import type { EventLog } from './events.js';

/**
 * Writes the `step` lines events.jsonl lacks for steps the database committed: a process
 * killed between a step's commit and its line loses it. They come from the `steps` table (and
 * `trace` and `llm_calls` for the actions by type, the requests by endpoint and the budgets'
 * use), marked `recovered: true`; the step's wall time was not recorded, so it is 0.
 * Runs once when a run continues, so it reads the file only then.
 */
export async function recoverStepEvents(channel: Channel, events: EventLog, path: string, exp: Experiment): Promise<void> {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const logged = new Set<number>();
  for (const line of text.split('\n')) {
    if (!line.includes('"type":"step"')) continue;
    try {
      const e = JSON.parse(line) as { type?: string; step?: number };
      if (e.type === 'step' && typeof e.step === 'number') logged.add(e.step);
    } catch {
      // a line cut short by the kill
    }
  }
  const missing: number[] = [];
  for (let step = 0; step <= channel.committedStep; step++) if (!logged.has(step)) missing.push(step);
  if (missing.length === 0) return;
  // A line the kill cut short must not swallow the first recovered one.
  if (text !== '' && !text.endsWith('\n')) appendFileSync(path, '\n');
  const clock = new SimClock(exp.clock);
  for (const r of await channel.stepRows(missing)) {
    // The budgets' use as the run had counted it after this step: every request sent up to it.
    const budgets = budgetStatus(exp, await channel.llmUsageByModel(r.step));
    events.write({
      type: 'step',
      step: r.step,
      sim_time: clock.isoOf(r.step),
      active_agents: r.active_agents,
      actions: r.actions,
      failed_actions: r.failed_actions,
      llm_requests: r.llm_requests,
      llm_failures: r.llm_failures,
      wall_ms: 0,
      by_action: r.by_action,
      failed_by_action: r.failed_by_action,
      llm: r.llm,
      ...(budgets.length > 0 ? { budget: budgets } : {}),
      recovered: true,
    });
  }
}
