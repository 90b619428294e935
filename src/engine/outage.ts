/**
 * Endpoint health as a run sees it, while steps are in flight: the LLM policies' endpoint
 * states (shared memory with the worker threads) are polled a few times a second, so an
 * endpoint leaving or rejoining rotation is written to events.jsonl (`endpoint_down` /
 * `endpoint_up`) and said on stderr when it happens, not at the end of the step. A model with no
 * endpoint in rotation for its `max_outage` aborts the run through `signal`: the step in flight
 * is not committed, and the run is left resumable after its last committed step.
 */
import type { AgentPolicy } from '../agents/types.js';
import { formatDuration } from '../config/durations.js';
import type { Experiment } from '../config/types.js';
import { maxOutageMs } from '../llm/settings.js';
import type { EventLog } from './events.js';

/** A model had no endpoint in rotation for longer than its `max_outage`; the run stopped, resumable. */
export class EndpointOutageError extends Error {
  readonly code = 'run.endpoints_down';
  constructor(
    message: string,
    readonly model: string,
    /** The run folder to resume, once the run has recorded the stop. */
    readonly runDir?: string,
  ) {
    super(message);
  }
}

/** Longest time between two looks at the endpoints. */
const POLL_MS = 250;

export class OutageWatch {
  private readonly controller = new AbortController();
  private readonly healthy = new Map<string, boolean>();
  /** By model: since when (epoch ms) none of its endpoints has been in rotation. */
  private readonly downSince = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private step = 0;

  /**
   * `note`: where a line about an outage goes as it happens (stderr unless quiet).
   * `lastCommitted`: the run's last committed step when the outage stopped it, for the message.
   */
  constructor(
    exp: Experiment,
    private readonly policies: ReadonlyMap<string, AgentPolicy>,
    private readonly events: EventLog,
    private readonly note: (line: string) => void,
    private readonly lastCommitted: () => number,
  ) {
    for (const [name, m] of Object.entries(exp.models)) if (m.provider !== 'statistical') this.limits.set(name, maxOutageMs(m));
  }

  /** Aborted with an `EndpointOutageError` when a model's outage passes its `max_outage`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts polling, unless no policy has endpoints of its own to look at; `step` is the step about to run. */
  start(step: number): void {
    this.step = step;
    // Statistical agents, or requests on remote workers (who watch their own endpoints): each
    // wake-up would cost CPU for nothing, which a coordinator's request path counts.
    if (![...new Set(this.policies.values())].some((p) => (p.endpoints?.() ?? []).length > 0)) return;
    const every = Math.max(20, Math.min(POLL_MS, Math.floor(Math.min(...this.limits.values(), Infinity) / 10)));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  /** The step now in flight (events name it). */
  at(step: number): void {
    this.step = step;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at every endpoint: events and lines for changes, and the outage clock per model. */
  check(now = Date.now()): void {
    const byModel = new Map<string, { url: string; healthy: boolean }[]>();
    for (const policy of new Set(this.policies.values())) {
      for (const e of policy.endpoints?.() ?? []) {
        (byModel.get(e.model) ?? byModel.set(e.model, []).get(e.model)!).push({ url: e.endpoint, healthy: e.healthy });
        const key = `${e.model} ${e.endpoint}`;
        const before = this.healthy.get(key) ?? true;
        this.healthy.set(key, e.healthy);
        if (before === e.healthy) continue;
        this.events.write({ type: e.healthy ? 'endpoint_up' : 'endpoint_down', step: this.step, model: e.model, endpoint: e.endpoint });
        this.note(
          e.healthy
            ? `endpoint back: model "${e.model}" ${e.endpoint} answers again (step ${this.step})`
            : `endpoint down: model "${e.model}" ${e.endpoint} stopped answering (step ${this.step}); it is probed again shortly`,
        );
      }
    }
    for (const [model, endpoints] of byModel) {
      if (endpoints.some((e) => e.healthy)) {
        this.downSince.delete(model);
        continue;
      }
      const limit = this.limits.get(model) ?? Infinity;
      if (!this.downSince.has(model)) {
        this.downSince.set(model, now);
        this.note(`no endpoint of model "${model}" answers; requests wait, and the run stops if none is back within ${formatDuration(limit)} (max_outage)`);
      }
      if (now - this.downSince.get(model)! >= limit && !this.controller.signal.aborted) {
        const last = this.lastCommitted();
        this.controller.abort(
          new EndpointOutageError(
            `model "${model}" has had no endpoint answering for ${formatDuration(limit)} (its max_outage): ${endpoints.map((e) => e.url).join(', ')}; ` +
              `the run stopped during step ${this.step}${last >= 0 ? ` and is kept up to step ${last}` : ' before any step was kept'}`,
            model,
          ),
        );
      }
    }
  }
}
