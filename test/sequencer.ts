/**
 * The order test files start in: the slowest first, by the durations in test/durations.json,
 * so the two workers end together instead of one running a long file alone at the end.
 * Vitest orders by its own cache of the last run's durations, which a clean install (CI)
 * does not have: it then starts the largest files first, and file size says little about
 * time here (a 120-line file that kills and resumes runs is among the slowest). Files the list
 * does not know start first; projects keep Vitest's order (the isolated one first).
 * Regenerate the list after large changes: `node scripts/test-durations.mjs`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const durations = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification): number => durations[relative(root, f.moduleId)] ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => {
      if (a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      return seconds(b) - seconds(a) || (a.moduleId < b.moduleId ? -1 : 1);
    });
  }
}
