/**
 * The frame every board page shares: a header with the way back to the runs, the board's style
 * sheet, the vega bundles when a page draws charts, the page's data as inline JSON (escaped so
 * no text from a run can close the script element) and the page's own script.
 */
import { escapeHtml } from './http.js';

export interface PageOptions {
  readonly title: string;
  /** Server-rendered HTML of the page's body. */
  readonly body: string;
  /** Data the page's script reads from `#board-data`. */
  readonly data?: unknown;
  /** Client scripts under /static/ (e.g. 'replay.js'), loaded in order after the data. */
  readonly scripts?: readonly string[];
  /** Load vega, vega-lite and vega-embed (served from the installed packages, no internet). */
  readonly charts?: boolean;
}

/** JSON safe inside <script>: `<`, `>`, `&` and line separators escaped. */
export function inlineJson(data: unknown): string {
  return JSON.stringify(data ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function page(o: PageOptions): string {
  const libs = o.charts ? ['lib/vega.js', 'lib/vega-lite.js', 'lib/vega-embed.js'] : [];
  const scripts = [...libs, 'board.js', ...(o.scripts ?? [])].map((s) => `<script src="/static/${escapeHtml(s)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} — socialsim board</title>
<link rel="stylesheet" href="/static/board.css">
</head><body>
<header class="top"><a href="/" class="brand">socialsim board</a><nav><a href="/">Runs</a><a href="/compare">Compare</a></nav></header>
<main>
${o.body}
</main>
<script type="application/json" id="board-data">${inlineJson(o.data)}</script>
${scripts}
</body></html>
`;
}
