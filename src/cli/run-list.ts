/** `socialsim list`'s table of what a results folder holds (found by engine/run-list.ts). */
import { shown } from './run-dir.js';
import type { ListedFolder } from '../engine/run-list.js';

const when = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '?');

function row(f: ListedFolder): string[] {
  if (f.kind === 'run') {
    const notes = [
      f.branch_of ? `branch of ${shown(f.branch_of)} at step ${f.branch_at_step ?? '?'}` : '',
      f.replay_of ? `replay of ${shown(f.replay_of)}` : '',
      f.sweep ? `in ${shown(f.sweep)}` : '',
    ].filter(Boolean);
    return [when(f.started_at), 'run', f.status, f.experiment, f.seed === null ? '?' : String(f.seed), `${f.steps_completed}/${f.timesteps}`, shown(f.path), notes.join('; ')];
  }
  if (f.kind === 'sweep') {
    const counts = Object.entries(f.run_statuses).map(([s, n]) => `${n} ${s}`).join(', ');
    return [when(f.started_at), 'sweep', f.status, f.experiment, f.seeds.join(',') || '-', `${f.runs} runs`, shown(f.path), counts];
  }
  return [when(f.started_at), 'calibration', f.status, f.experiment, f.seeds.join(',') || '-', `${f.trials} trials`, shown(f.path), ''];
}

/** Aligned columns, one folder a line, with a header. */
export function formatRunList(folders: readonly ListedFolder[]): string {
  const rows = [['STARTED (UTC)', 'KIND', 'STATUS', 'EXPERIMENT', 'SEED', 'STEPS', 'FOLDER', ''], ...folders.map(row)];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n';
}
