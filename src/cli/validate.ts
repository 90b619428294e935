import type { Command } from 'commander';
import { promptBudgetProblem } from '../agents/policies.js';
import { confirmationNeeded, estimateRun, gib, heapFlagsFor, machineLimits } from '../config/capacity.js';
import { formatIssue, validateFile } from '../config/load.js';

export interface ValidateSummary {
  readonly valid: number;
  readonly invalid: number;
  readonly lines: string[];
}

/** Validates every file, collecting every issue of every file. */
export function validateExperiments(files: readonly string[], overrides: readonly string[] = []): ValidateSummary {
  const lines: string[] = [];
  let valid = 0;
  for (const file of files) {
    const result = validateFile(file, { overrides });
    if (result.ok) {
      const e = result.experiment;
      // Schema-valid, but a model's context may be too small for its prompts (agents know the tool schemas' size).
      const problems = Object.entries(e.models).flatMap(([name, m]) => (m.provider === 'statistical' ? [] : [promptBudgetProblem(name, m)])).filter((p): p is string => p !== null);
      if (problems.length > 0) {
        for (const p of problems) lines.push(`${file}: ${p}`);
        continue;
      }
      valid++;
      const agents = e.cohorts.reduce((n, c) => n + c.count, 0);
      lines.push(`ok  ${file}: ${e.name}, ${agents.toLocaleString('en-US')} agents in ${e.cohorts.length} cohort(s), ${e.clock.timesteps} steps of ${e.clock.step}`);
      // Accepted, but worth knowing: a duration that is not a whole number of steps was rounded.
      for (const w of result.warnings) lines.push(`warning: ${formatIssue(w)}`);
      const estimate = estimateRun(e as unknown as Record<string, unknown>);
      const tooBig = confirmationNeeded(estimate, machineLimits(), true);
      if (tooBig) lines.push(`warning: ${file}: ${tooBig}; run and launch need --yes to start it`);
      const heap = heapFlagsFor(estimate);
      if (heap) lines.push(`note: ${file}: about ${gib(estimate.heapBytes)} of JS heap; run starts itself again with ${heap.join(' ')}`);
    } else {
      for (const issue of result.issues) lines.push(formatIssue(issue));
    }
  }
  return { valid, invalid: files.length - valid, lines };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check experiment files against the schema; every problem with file:line:col')
    .argument('<files...>', 'experiment YAML files')
    .option('--set <path=value...>', 'override a field before validating (repeatable)', [])
    .action((files: string[], opts: { set: string[] }) => {
      const summary = validateExperiments(files, opts.set);
      for (const line of summary.lines) (line.startsWith('ok  ') ? process.stdout : process.stderr).write(line + '\n');
      if (summary.invalid > 0) process.exitCode = 2;
    });
}
