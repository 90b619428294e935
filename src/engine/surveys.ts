import type { AgentPolicy, LlmCall, Observation } from '../agents/types.js';
import type { StepBatch } from '../channel/batch.js';
import { Rng } from '../common/rng.js';
import type { Experiment } from '../config/types.js';
import type { Persona } from '../data/personas.js';

/** An agent's LLM calls into the step's batch; a replay that found no recorded answer ends the run. */
export function recordCalls(batch: StepBatch, calls: readonly LlmCall[], persona: Persona, step: number): void {
  for (const c of calls) {
    if (c.outcome === 'replay_miss') {
      throw new Error(
        `replay: no recorded response for agent ${persona.userId} (cohort ${persona.cohort}, model ${c.model}) at step ${step}; the replayed run diverged from the recording`,
      );
    }
    batch.llmCalls.push({ ...c, agentId: persona.userId, cohort: persona.cohort });
  }
}

/**
 * The surveys due at this step, put to a seeded sample (the same agents each time) of the
 * cohorts they name, or of every cohort whose policy can answer. Asked before anyone acts.
 */
export async function runSurveys(
  step: number,
  exp: Experiment,
  personas: readonly Persona[],
  policies: ReadonlyMap<string, AgentPolicy>,
  observe: (p: Persona) => Observation,
  batch: StepBatch,
): Promise<void> {
  for (const survey of exp.surveys) {
    if (!survey.at.includes(step)) continue;
    const cohorts = new Set(survey.cohorts ?? exp.cohorts.map((c) => c.name));
    const byCohort = new Map<string, Persona[]>();
    for (const p of personas) {
      if (!cohorts.has(p.cohort) || !policies.get(p.cohort)?.survey) continue;
      if (survey.sample < 1 && !Rng.derive(exp.seed, 'survey', survey.name, p.userId).chance(survey.sample)) continue;
      (byCohort.get(p.cohort) ?? byCohort.set(p.cohort, []).get(p.cohort)!).push(p);
    }
    await Promise.all(
      [...byCohort].map(async ([cohort, members]) => {
        const answers = await policies.get(cohort)!.survey!(survey, members.map((persona) => ({ persona, observation: observe(persona) })));
        members.forEach((persona, i) => {
          const a = answers[i];
          batch.surveyAnswers.push({
            survey: survey.name,
            agentId: persona.userId,
            cohort,
            question: survey.question,
            answer: a?.answer ?? null,
            raw: a?.raw ?? null,
            error: a ? a.error : 'no answer returned',
          });
          recordCalls(batch, a?.calls ?? [], persona, step);
        });
      }),
    );
  }
}

