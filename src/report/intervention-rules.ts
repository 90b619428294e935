/**
 * The experimenter's interventions (label_post, delete_post, suspend_account, set_recsys) as
 * dashed vertical rules, named at the top, on every chart whose x axis is the step (or the
 * simulated time a step began): what
 * changed when, next to what followed. Added to the built sections in one place, so a new
 * per-step chart gets them too.
 */
import type { InterventionRow } from '../analysis/summary.js';
import type { Section, TopLevelSpec } from './types.js';

interface Rule {
  step: number;
  sim_time: string | null;
  what: string;
}

/** One rule per step, naming every applied intervention of that step. */
export function interventionRules(rows: readonly InterventionRow[]): Rule[] {
  const byStep = new Map<number, { sim_time: string | null; whats: string[] }>();
  for (const r of rows) {
    if (!r.ok) continue;
    const what = r.target === null ? r.action : `${r.action} ${r.target}`;
    (byStep.get(r.step) ?? byStep.set(r.step, { sim_time: r.sim_time, whats: [] }).get(r.step)!).whats.push(what);
  }
  return [...byStep].sort((a, b) => a[0] - b[0]).map(([step, { sim_time, whats }]) => ({ step, sim_time, what: whats.join(', ') }));
}

type View = Record<string, unknown> & { encoding?: { x?: { field?: unknown; scale?: unknown } } };

/** The time axes a rule can mark: the step number, or the simulated time a step began. */
const AXES = { step: 'quantitative', sim_time: 'temporal' } as const;
type Axis = keyof typeof AXES;

/** The x field of a single view (or of every layer of a layered one) when it is a time axis. */
function timeAxis(spec: View): Axis | null {
  const layers = spec['layer'];
  const views = Array.isArray(layers) ? (layers as View[]) : typeof spec['mark'] !== 'undefined' ? [spec] : [];
  const fields = new Set(views.map((v) => v.encoding?.x?.field));
  const [field] = fields;
  return views.length > 0 && fields.size === 1 && (field === 'step' || field === 'sim_time') ? field : null;
}

function ruleLayers(rules: readonly Rule[], axis: Axis): Record<string, unknown>[] {
  const marked = axis === 'sim_time' ? rules.filter((r) => r.sim_time !== null) : rules;
  const data = { values: marked.map((r) => ({ step: r.step, sim_time: r.sim_time, intervention: r.what })) };
  const x = { field: axis, type: AXES[axis] };
  return [
    { data, mark: { type: 'rule', strokeDash: [4, 3], color: '#7f7f7f' }, encoding: { x, tooltip: [{ field: 'step', type: 'quantitative' }, { field: 'intervention', type: 'nominal' }] } },
    { data, mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 10, color: '#555' }, encoding: { x, text: { field: 'intervention', type: 'nominal' } } },
  ];
}

/** `spec` with the rules layered on, when it is a per-step chart; otherwise `spec` itself. */
export function withInterventionRules(spec: TopLevelSpec, rules: readonly Rule[]): TopLevelSpec {
  const view = spec as unknown as View;
  const axis = timeAxis(view);
  if (rules.length === 0 || axis === null) return spec;
  const { $schema, width, height, data, title, description, config, ...rest } = view;
  const top = Object.fromEntries(Object.entries({ $schema, width, height, data, title, description, config }).filter(([, v]) => v !== undefined));
  const layers = Array.isArray(rest['layer']) ? (rest['layer'] as unknown[]) : [rest];
  return { ...top, layer: [...layers, ...ruleLayers(rules, axis)] } as unknown as TopLevelSpec;
}

/** Every section's chart with the rules, where its x axis is the step. */
export function addInterventionRules(sections: readonly Section[], rows: readonly InterventionRow[]): Section[] {
  const rules = interventionRules(rows);
  return sections.map((s) => (s.spec ? { ...s, spec: withInterventionRules(s.spec, rules) } : s));
}
