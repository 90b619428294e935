/**
 * How each tracked post spread over the whole run: its cascade's scale, depth and max breadth
 * (curves.ts) from its creation to the run's end, on the run's own steps, and the final figures.
 */
import type { TreeMethod } from './cascades.js';
import { finalFigures, treeCurves } from './curves.js';
import { simNodes, type CascadeComparison } from './nrmse.js';
import type { TrackedPost } from './track.js';

export interface PropagationRow {
  post_id: number;
  /** Minutes after the post was created. */
  minute: number;
  scale: number;
  depth: number;
  breadth: number;
}

export interface CascadeFinal extends TrackedPost {
  method: TreeMethod;
  /** Users reached, the author included. */
  scale: number;
  depth: number;
  /** Most users at one depth below the author. */
  breadth: number;
  /** Minutes from the post to its last repost; null when nobody reposted it. */
  last_repost_minute: number | null;
}

export interface Propagation {
  curves: PropagationRow[];
  finals: CascadeFinal[];
}

/** Curves from each tracked post's creation to the end of the run, one point a step. */
export function propagationOf(c: CascadeComparison): Propagation {
  const stepMin = Math.max((c.step_ms ?? 3_600_000) / 60_000, 1e-9);
  const curves: PropagationRow[] = [];
  const finals: CascadeFinal[] = [];
  for (const cascade of c.cascades) {
    const { post } = cascade;
    const nodes = simNodes(cascade);
    const sinceStart = c.run_start_ms === null ? 0 : (Date.parse(post.created_at) - c.run_start_ms) / 60_000;
    const span = c.run_span_min === null ? 0 : Math.max(0, c.run_span_min - sinceStart);
    const points = Math.max(1, Math.ceil(span / stepMin - 1e-9));
    const curve = treeCurves(nodes, { stepMin, points });
    for (let k = 0; k < points; k++) {
      curves.push({ post_id: post.post_id, minute: k * stepMin, scale: curve.scale[k]!, depth: curve.depth[k]!, breadth: curve.breadth[k]! });
    }
    const last = nodes.length > 1 ? Math.max(...nodes.slice(1).map((n) => n.t)) : null;
    finals.push({ ...post, method: cascade.method, ...finalFigures(nodes), last_repost_minute: last });
  }
  return { curves, finals };
}
