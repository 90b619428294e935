import { describe, expect, it } from 'vitest';
import { EndpointLimiter } from '../../src/llm/limiter.js';
import { backoffMs, parseRetryAfter, redact, retryDelayMs, shouldRetry } from '../../src/llm/retry.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('EndpointLimiter', () => {
  it('when slots are free then acquire picks the endpoint with the fewest outstanding requests', async () => {
    const l = EndpointLimiter.create([2, 2]);
    const got = [await l.acquire(), await l.acquire(), await l.acquire(), await l.acquire()];
    expect(got.sort()).toEqual([0, 0, 1, 1]);
    expect(l.snapshot().outstanding).toEqual([2, 2]);
    expect(l.tryAcquire()).toBeNull();
  });

  it('when an endpoint is to be avoided then another with a free slot is chosen, else the avoided one', async () => {
    const l = EndpointLimiter.create([1, 1]);
    expect(await l.acquire({ avoid: 0 })).toBe(1);
    expect(await l.acquire({ avoid: 0 })).toBe(0);
  });

  it('when all slots are taken then acquire waits, and each release hands a slot out in arrival order', async () => {
    const l = EndpointLimiter.create([1]);
    await l.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((k) => l.acquire().then((i) => {
        order.push(k);
        return i;
      }),
    );
    await tick(20);
    expect(order).toEqual([]);
    expect(l.waiting).toBe(3);
    for (let k = 0; k < 3; k++) {
      l.release(0);
      await tick();
    }
    expect(await Promise.all(waits)).toEqual([0, 0, 0]);
    expect(order).toEqual([1, 2, 3]);
  });

  it('when two limiters attach the same buffer then they share the maxima', async () => {
    const a = EndpointLimiter.create([2]);
    const b = EndpointLimiter.attach(structuredClone(a.shared));
    expect(await a.acquire()).toBe(0);
    expect(await b.acquire()).toBe(0);
    expect(a.tryAcquire()).toBeNull();
    const waiting = b.acquire();
    a.release(0); // another "thread" frees the slot: b's waiter is woken through Atomics.notify
    expect(await waiting).toBe(0);
    expect(b.snapshot().outstanding).toEqual([2]);
  });

  it('when an endpoint fails unhealthyAfter times in a row then it leaves rotation until one probe is due', async () => {
    const l = EndpointLimiter.create([4, 4], { unhealthyAfter: 3, probeAfterMs: 80 });
    l.reportFailure(0);
    l.reportFailure(0);
    expect(l.isHealthy(0)).toBe(true);
    l.reportFailure(0);
    expect(l.isHealthy(0)).toBe(false);
    const picks = [];
    for (let k = 0; k < 4; k++) picks.push(await l.acquire());
    expect(picks).toEqual([1, 1, 1, 1]);
    await tick(90);
    for (let k = 0; k < 4; k++) l.release(1);
    expect(l.tryAcquire()).toBe(0); // the probe goes first
    expect(l.tryAcquire()).toBe(1); // and only one probe
    l.reportSuccess(0);
    expect(l.isHealthy(0)).toBe(true);
    expect(l.tryAcquire()).toBe(0);
  });

  it('when a probe fails then the next one waits another probeAfterMs', async () => {
    const l = EndpointLimiter.create([4, 4], { unhealthyAfter: 1, probeAfterMs: 60 });
    l.reportFailure(0);
    await tick(70);
    expect(l.tryAcquire()).toBe(0);
    l.release(0);
    l.reportFailure(0);
    expect(l.tryAcquire()).toBe(1);
    await tick(70);
    expect(l.tryAcquire()).toBe(0);
  });

  it('when every endpoint is unhealthy then a waiter waits, and gets the probe that is due first', async () => {
    const l = EndpointLimiter.create([2, 2], { unhealthyAfter: 1, probeAfterMs: 400 });
    l.reportFailure(0);
    await tick(5);
    l.reportFailure(1);
    const acquired = l.acquire();
    expect([l.waiting, l.tryAcquire()]).toEqual([1, null]); // neither probe is due yet
    expect(await acquired).toBe(0); // endpoint 0's probe is due first
    expect(l.waiting).toBe(0);
  });

  it('when no endpoint is in rotation for longer than unavailableTimeoutMs then acquire gives null', async () => {
    const l = EndpointLimiter.create([1], { unhealthyAfter: 1, probeAfterMs: 3_600_000 });
    l.reportFailure(0);
    const acquired = l.acquire({ unavailableTimeoutMs: 100 });
    expect(l.waiting).toBe(1); // it waits first; an hour-away probe is not what ends the wait
    expect(await acquired).toBeNull();
    expect(l.waiting).toBe(0);
  });

  it('when a busy healthy endpoint outlasts timeoutMs then acquire gives null', async () => {
    const l = EndpointLimiter.create([1]);
    await l.acquire();
    expect(await l.acquire({ timeoutMs: 50, unavailableTimeoutMs: 10 })).toBeNull();
  });

  it('when release is called without a slot then it throws (a programming error)', () => {
    const l = EndpointLimiter.create([1]);
    expect(() => l.release(0)).toThrow(/without a matching acquire/);
    expect(() => l.release(5)).toThrow(/no endpoint/);
    expect(() => EndpointLimiter.create([0])).toThrow();
  });
});

describe('retry policy', () => {
  it('when Retry-After is seconds or an HTTP-date then it becomes milliseconds', () => {
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter('2.5')).toBe(2500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('when backing off then the delay is full jitter under an exponential cap, Retry-After capped at maxMs', () => {
    const b = { baseMs: 100, maxMs: 1000 };
    expect(backoffMs(1, b, () => 0.999)).toBe(99);
    expect(backoffMs(3, b, () => 0.999)).toBe(399);
    expect(backoffMs(10, b, () => 0.999)).toBe(999);
    expect(backoffMs(3, b, () => 0)).toBe(0);
    expect(retryDelayMs(1, 5000, b, () => 0)).toBe(1000);
    expect(retryDelayMs(4, 10, b, () => 0.5)).toBe(400);
  });

  it('when deciding on a retry then 4xx never, bad_response once, others until maxAttempts', () => {
    expect(shouldRetry('client_error', 1, 5, 0)).toBe(false);
    expect(shouldRetry('server_error', 4, 5, 0)).toBe(true);
    expect(shouldRetry('server_error', 5, 5, 0)).toBe(false);
    expect(shouldRetry('bad_response', 1, 5, 1)).toBe(true);
    expect(shouldRetry('bad_response', 2, 5, 2)).toBe(false);
    expect(shouldRetry('no_endpoint', 1, 5, 0)).toBe(false);
  });

  it('when a message holds the key or an sk- key then it is redacted', () => {
    expect(redact('bad key my-key-123 given', 'my-key-123')).toBe('bad key [redacted] given');
    expect(redact('Incorrect API key provided: sk-secr*****123.', null)).not.toContain('secr');
  });
});
