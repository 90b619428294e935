/** Maps a data path (`['cohorts', 1, 'count']`) back to a line and column of the YAML source. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { PathSegment } from './issues.js';

export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * `value`: the value node at the path (a missing or empty value falls back to its key, then to
 * the nearest existing ancestor). `key`: the key of the last segment (an unknown key).
 * `parent`: the node holding the last segment (a missing required key).
 */
export type PositionKind = 'value' | 'key' | 'parent';

interface Walk {
  /** Deepest node reached. */
  readonly node: Node | null;
  /** The pair holding `node`, when it was reached through a mapping. */
  readonly pair: Pair | undefined;
  /** How many segments were resolved. */
  readonly depth: number;
}

function walk(doc: Document, segments: readonly PathSegment[]): Walk {
  let node: Node | null = doc.contents;
  let pair: Pair | undefined;
  let depth = 0;
  for (const seg of segments) {
    if (isMap(node)) {
      const found = node.items.find(
        (p): p is Pair<Node, Node | null> =>
          isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!found) break;
      pair = found;
      node = found.value;
      if (node === null) {
        depth++;
        break;
      }
    } else if (isSeq(node)) {
      const idx = typeof seg === 'number' ? seg : Number(seg);
      const item = Number.isInteger(idx) ? node.items[idx] : undefined;
      if (item === undefined || item === null || !(item as Node).range) break;
      pair = undefined;
      node = item as Node;
    } else {
      break;
    }
    depth++;
  }
  return { node, pair, depth };
}

function start(node: Node | null | undefined, lc: LineCounter): Position | undefined {
  const r = node?.range;
  return r ? lc.linePos(r[0]) : undefined;
}

function isEmpty(node: Node | null): boolean {
  if (node === null) return true;
  const r = node.range;
  return isScalar(node) && node.value === null && (!r || r[0] === r[1]);
}

/** Line/column (1-based) for the path, or undefined when the source has no node to show. */
export function positionOf(
  doc: Document,
  lc: LineCounter,
  segments: readonly PathSegment[],
  kind: PositionKind,
): Position | undefined {
  if (kind === 'parent') return positionOf(doc, lc, segments.slice(0, -1), 'value');
  if (kind === 'key') {
    const w = walk(doc, segments);
    if (w.depth === segments.length && w.pair) return start(w.pair.key as Node | null, lc);
    return positionOf(doc, lc, segments.slice(0, -1), 'value');
  }
  const w = walk(doc, segments);
  if (w.depth === segments.length && !isEmpty(w.node)) return start(w.node, lc);
  if (w.pair) return start(w.pair.key as Node | null, lc) ?? start(w.node, lc);
  return start(w.node, lc) ?? { line: 1, col: 1 };
}

/** True when the source (before overrides) has a node at the path. */
export function hasNode(doc: Document, segments: readonly PathSegment[]): boolean {
  return walk(doc, segments).depth === segments.length;
}
