// Shared by every board page: the page's inline data and small DOM helpers. Plain browser
// JavaScript, no build step, no network beyond the board itself.
'use strict';
window.board = {
  data: JSON.parse(document.getElementById('board-data').textContent || 'null'),
  /** GET a board API path; rejects with the server's one-line message. */
  async api(path) {
    const r = await fetch(path, { headers: { accept: 'application/json' } });
    const body = await r.json();
    if (!r.ok) throw new Error(body && body.error ? body.error : `HTTP ${r.status}`);
    return body;
  },
  esc(s) {
    return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  },
  /** Draws a Vega-Lite spec into `el` without the action menu (offline, no editor links). */
  chart(el, spec) {
    return window.vegaEmbed(el, spec, { actions: false, renderer: 'svg' });
  },
};
