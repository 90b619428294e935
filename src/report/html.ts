/** HTML building blocks: escaping and tables. */

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Makes JavaScript safe to place inside `<script>…</script>`: a `</script` (any case) would end
 * the element early, and `<!--` switches the HTML parser into a comment-like state.
 * `<\/` is the same string in JS source.
 */
export function escapeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');
}

/** JSON for an inline `<script type="application/json">`: every `<` becomes `\u003c`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export type TableCell = string | number | null | undefined;

export interface TableOptions {
  /** Column indexes to right-align (numbers are right-aligned automatically). */
  numeric?: readonly number[];
  /** Shown instead of the table when there are no rows. */
  empty?: string;
  className?: string;
}

/** A `<table>` whose cells are escaped text. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly TableCell[])[], opts: TableOptions = {}): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(opts.empty ?? 'No rows.')}</p>`;
  const num = new Set(opts.numeric ?? []);
  const cell = (c: TableCell, i: number, tag: 'td' | 'th'): string => {
    const isNum = typeof c === 'number' || num.has(i);
    const text = c === null || c === undefined ? '' : typeof c === 'number' ? c.toLocaleString('en-US') : c;
    return `<${tag}${isNum ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  };
  const head = `<tr>${headers.map((h, i) => cell(h, i, 'th')).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => cell(c, i, 'td')).join('')}</tr>`).join('\n');
  const cls = opts.className ? ` class="${escapeHtml(opts.className)}"` : '';
  return `<table${cls}>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Milliseconds as `1h 02m 03s` / `4.2 s` / `350 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}h ${mm}m ${ss}s` : `${m}m ${ss}s`;
}
