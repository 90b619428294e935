import type { WireRequest } from './wire.js';

/** A conservative token estimate for English-like text (≈ 3.5 characters a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/**
 * Trims a request until `measure(req)` (the prompt's estimated tokens) fits `budget`: the
 * oldest memory goes first, then the oldest notifications, then the lowest-ranked feed posts.
 * Returns the request unchanged when it already fits; never loops more than the items it has.
 */
export function fitToContext(req: WireRequest, budget: number, measure: (r: WireRequest) => number): WireRequest {
  let r = req;
  if (measure(r) <= budget) return r;
  let memory = r.memory.length;
  let notifications = r.notifications.length;
  let feed = r.feed.length;
  // Halve what is left of each part in turn: O(log n) measurements instead of one per item.
  const shrink = (n: number): number => (n <= 1 ? 0 : Math.floor(n / 2));
  for (;;) {
    if (memory > 0) memory = shrink(memory);
    else if (notifications > 0) notifications = shrink(notifications);
    else if (feed > 0) feed = shrink(feed);
    else return r;
    r = { ...req, memory: req.memory.slice(0, memory), notifications: req.notifications.slice(0, notifications), feed: req.feed.slice(0, feed) };
    if (measure(r) <= budget) return r;
  }
}
