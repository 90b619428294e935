/** Redis URLs as BullMQ connection options, and the few helpers both ends use. */
import type { RedisOptions } from 'ioredis';

/** `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) → connection options. */
export function connectionOf(url: string, extra: { readonly maxRetriesPerRequest?: null } = {}): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisUrlError(url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisUrlError(url);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // Reconnect every half second at most, so a Redis that comes back is found soon.
    retryStrategy: (times: number) => Math.min(100 * times, 500),
    ...extra,
  };
}

/** The URL as safe to print: without its password. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

export class RedisUrlError extends Error {
  readonly code = 'cli.bad_redis_url';
  constructor(url: string) {
    super(`not a Redis URL: ${shownUrl(url) === '(not a URL)' ? JSON.stringify(url.replace(/:[^:@/]*@/, ':***@')) : shownUrl(url)}; expected redis://host:port (e.g. redis://127.0.0.1:6379)`);
  }
}

/** `work`, or `fallback` once `ms` have passed (work left behind is absorbed). */
export function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    t.unref();
    work.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}
