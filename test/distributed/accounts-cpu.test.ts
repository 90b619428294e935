import { describe, expect, it } from 'vitest';
import { WorkerAccounts } from '../../src/distributed/accounts.js';
import { threadCpuMicros } from '../../src/common/thread-cpu.js';

describe("the coordinator's request-path CPU by step", () => {
  it('when spans of a step are added then their CPU sums, in milliseconds, and the step is forgotten once taken', () => {
    const a = new WorkerAccounts();
    a.addCpu(3, 1500, 1000);
    a.addCpu(3, 2504, 1200);
    a.addCpu(4, 700, null);
    // 4,004 µs and 2,200 µs, to 0.01 ms.
    expect(a.takeCpuMs(3)).toEqual({ process: 4, main: 2.2 });
    expect(a.takeCpuMs(3)).toEqual({ process: 0, main: 0 });
    // A span whose main thread could not be read leaves the step's main part unknown.
    a.addCpu(4, 300, 250);
    expect(a.takeCpuMs(4)).toEqual({ process: 1, main: null });
  });

  it("when this thread computes then its own CPU time grows, and never by more than the process's", () => {
    if (process.platform !== 'linux') {
      expect(threadCpuMicros()).toBeNull();
      return;
    }
    const t0 = threadCpuMicros()!;
    const p0 = process.cpuUsage();
    let x = 0;
    // Until 20 ms of this thread's CPU went by (CPU time, not wall time: a loaded machine only makes it take longer).
    while (threadCpuMicros()! - t0 < 20_000) for (let i = 0; i < 100_000; i++) x += Math.sqrt(i);
    const thread = threadCpuMicros()! - t0;
    const p = process.cpuUsage(p0);
    expect(x).toBeGreaterThan(0);
    expect(thread).toBeGreaterThanOrEqual(20_000);
    // getrusage and schedstat count from the same clock, to a few microseconds.
    expect(thread).toBeLessThanOrEqual(p.user + p.system + 1000);
  });
});
