import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from '../../src/report/types.js';

/** A vega logger that records warnings and errors, so a silently dropped encoding fails the test. */
export function recordingLogger(): { logger: ReturnType<typeof vega.logger>; messages: string[] } {
  const messages: string[] = [];
  const logger = vega.logger(vega.Warn);
  logger.warn = (...args: readonly unknown[]) => {
    messages.push(`WARN ${args.map(String).join(' ')}`);
    return logger;
  };
  logger.error = (...args: readonly unknown[]) => {
    messages.push(`ERROR ${args.map(String).join(' ')}`);
    return logger;
  };
  return { logger, messages };
}

/** Renders a spec offline; returns the vega messages and the vertices of each line mark. */
export async function renderLines(spec: TopLevelSpec): Promise<{ messages: string[]; lines: number[] }> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  type Node = { marktype?: string; role?: string; items?: Node[] };
  const lines: number[] = [];
  const walk = (n: Node): void => {
    if (n.marktype === 'line' && n.role === 'mark') lines.push(n.items?.length ?? 0);
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return { messages, lines };
}

/** A legend entry as drawn: its label and its symbol's look. */
export interface LegendSymbol {
  label: string;
  shape: string;
  stroke: string | undefined;
  fill: string | undefined;
  strokeDash: number[] | undefined;
}

/** Renders a spec offline and returns every legend entry's symbol (what a reader sees beside each label). */
export async function legendSymbols(spec: TopLevelSpec): Promise<LegendSymbol[]> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  type Node = { role?: string; items?: Node[]; datum?: { label?: unknown }; shape?: string; stroke?: string; fill?: string; strokeDash?: number[] };
  const out: LegendSymbol[] = [];
  const walk = (n: Node): void => {
    if (n.role === 'legend-symbol') {
      for (const it of n.items ?? []) out.push({ label: String(it.datum?.label), shape: String(it.shape), stroke: it.stroke, fill: it.fill, strokeDash: it.strokeDash });
    }
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return out;
}

/**
 * Renders a spec offline and returns the pairs of neighbouring axis labels (visible, non-empty)
 * closer than `gap` px along their axis, e.g. "200|300": labels that would run into each other.
 * Text widths are vega's estimates without a canvas, close to a browser's for short numbers.
 */
export async function crowdedAxisLabels(spec: TopLevelSpec, gap = 3): Promise<string[]> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  type Box = { x1: number; x2: number; y1: number; y2: number };
  type Node = { role?: string; items?: Node[]; text?: unknown; opacity?: number; bounds?: Box };
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.role === 'axis-label') {
      const shown = (n.items ?? []).filter((it) => it.opacity !== 0 && String(it.text ?? '') !== '' && it.bounds);
      const spread = (f: (b: Box) => number): number => Math.max(...shown.map((it) => f(it.bounds!))) - Math.min(...shown.map((it) => f(it.bounds!)));
      // Labels side by side (an x axis) or stacked (a y axis): whichever way their centres spread more.
      const across = spread((b) => b.x1 + b.x2) >= spread((b) => b.y1 + b.y2);
      const lo = (b: Box): number => (across ? b.x1 : b.y1);
      const hi = (b: Box): number => (across ? b.x2 : b.y2);
      const sorted = [...shown].sort((a, b) => lo(a.bounds!) - lo(b.bounds!));
      for (let i = 1; i < sorted.length; i++) {
        const [a, b] = [sorted[i - 1]!, sorted[i]!];
        if (lo(b.bounds!) - hi(a.bounds!) < gap) out.push(`${String(a.text)}|${String(b.text)}`);
      }
    }
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  return out;
}
