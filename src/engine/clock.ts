import type { ClockConfig } from '../config/types.js';

/** Simulated time: step k starts at start + k × step length. Wall time never enters the channel. */
export class SimClock {
  readonly startMs: number;
  constructor(private readonly config: ClockConfig) {
    this.startMs = Date.parse(config.start);
    if (Number.isNaN(this.startMs)) throw new Error(`clock.start is not a date: ${config.start}`);
  }

  get timesteps(): number {
    return this.config.timesteps;
  }

  timeOf(step: number): number {
    return this.startMs + step * this.config.step_ms;
  }

  isoOf(step: number): string {
    return new Date(this.timeOf(step)).toISOString();
  }

  /** UTC hour of day at the start of a step, 0–23. */
  hourOf(step: number): number {
    return new Date(this.timeOf(step)).getUTCHours();
  }
}
