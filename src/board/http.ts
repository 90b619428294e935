/**
 * The board's tiny HTTP layer on `node:http`: routes match a method and an exact path (pages and
 * API take their arguments as query parameters, so run folders with slashes need no escaping in
 * patterns), handlers return a `Reply`, and every error becomes a short page or JSON object —
 * never a stack trace, never a path outside the results folder.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BoardContext {
  /** The results folder the board serves (absolute). */
  readonly resultsDir: string;
  readonly url: URL;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

export type Reply =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'html'; readonly body: string; readonly status?: number }
  | { readonly kind: 'text'; readonly body: string; readonly type: string; readonly status?: number; readonly cache?: boolean }
  /** The handler wrote the response itself (server-sent events). */
  | { readonly kind: 'streamed' };

export interface Route {
  readonly method: 'GET';
  readonly path: string;
  handle(ctx: BoardContext): Promise<Reply> | Reply;
}

/** An error meant for the board's user: its status and a one-line message. */
export class BoardError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const json = (body: unknown, status?: number): Reply => ({ kind: 'json', body, ...(status === undefined ? {} : { status }) });
export const html = (body: string, status?: number): Reply => ({ kind: 'html', body, ...(status === undefined ? {} : { status }) });

/** A required query parameter, or a 400. */
export function param(ctx: BoardContext, name: string): string {
  const v = ctx.url.searchParams.get(name);
  if (v === null || v === '') throw new BoardError(400, `missing query parameter "${name}"`);
  return v;
}

/** An optional non-negative integer query parameter (a step, an agent id), or a 400 when malformed. */
export function intParam(ctx: BoardContext, name: string): number | undefined {
  const v = ctx.url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d{1,15}$/.test(v)) throw new BoardError(400, `query parameter "${name}" must be a whole number ≥ 0 (got "${v.slice(0, 40)}")`);
  return Number(v);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
export { esc as escapeHtml };

/** Serialises BigInts as numbers when safe, else as exact strings (ids beyond 2^53). */
function jsonText(body: unknown): string {
  return JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v));
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.kind === 'streamed') return;
  const headers: Record<string, string> = {
    // Nothing of the board may be framed or fetched by another site's page.
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  let body: string;
  if (reply.kind === 'json') {
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['cache-control'] = 'no-store';
    body = jsonText(reply.body);
  } else if (reply.kind === 'html') {
    headers['content-type'] = 'text/html; charset=utf-8';
    headers['cache-control'] = 'no-store';
    body = reply.body;
  } else {
    headers['content-type'] = reply.type;
    headers['cache-control'] = reply.cache ? 'public, max-age=3600' : 'no-store';
    body = reply.body;
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}

/** An error as the client asked for it: JSON under /api/, a small page elsewhere. */
export function errorReply(path: string, status: number, message: string): Reply {
  if (path.startsWith('/api/')) return json({ error: message }, status);
  return html(`<!doctype html><html><head><meta charset="utf-8"><title>socialsim board — ${status}</title></head><body><h1>${status}</h1><p class="error">${esc(message)}</p><p><a href="/">All runs</a></p></body></html>`, status);
}
