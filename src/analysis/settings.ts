/**
 * How the reports read a run: which posts' cascades to follow and over what span. Comes from
 * the experiment's `analysis:` block (see the schema), read from the run folder's
 * experiment.resolved.yaml, so it can be changed after the run without running it again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { durationMs } from '../config/resolve.js';
import type { AnalysisConfig, BudgetConfig, ModelConfig } from '../config/types.js';
import type { BudgetedExperiment } from '../engine/budget.js';

export interface TrackSettings {
  /** The N most reposted originals. */
  readonly top: number;
  /** Posts with one of these labels; null = any label. */
  readonly labels: readonly string[] | null;
  /** Posts by seed accounts. */
  readonly seeds: boolean;
  /** Posts by platform id. */
  readonly posts: readonly number[];
  /** Opening posts by their dataset id. */
  readonly datasetPosts: readonly string[];
}

export interface AnalysisSettings {
  /** The experiment's seed: the analyses' own random starts (k-means) derive from it. */
  readonly seed?: number;
  /** The analyses `run` computes into analysis.duckdb (analysis.enable; null = all). */
  readonly enable?: readonly string[] | null;
  readonly track: TrackSettings;
  /** Span of the cascade curves after each source post, ms. */
  readonly horizonMs: number;
  /** The run's step length, ms, when known (else read from its steps). */
  readonly stepMs?: number;
  /** dataset.generate.stance_topics, when the experiment is known (personas' stances name them too). */
  readonly stanceTopics?: readonly string[];
  /** Each survey's answer scale by name, when the experiment is known. */
  readonly surveyScales?: Readonly<Record<string, { min: number; max: number }>>;
  /** analysis.stance.judge: the model (its key and config) that judges posts' stance. */
  /** The judge's model and the experiment's budgets (the judge's requests count against them). */
  readonly stanceJudge?: { readonly name: string; readonly model: ModelConfig; readonly budgets?: BudgetedExperiment };
  /** The run folder, where the judge's answers are cached. */
  readonly runDir?: string;
}

/** The reference experiment's span (OASIS's propagation study): 150 minutes. */
export const DEFAULT_HORIZON_MS = 150 * 60_000;
export const DEFAULT_TRACK: TrackSettings = { top: 5, labels: null, seeds: true, posts: [], datasetPosts: [] };
export const DEFAULT_ANALYSIS: AnalysisSettings = { track: DEFAULT_TRACK, horizonMs: DEFAULT_HORIZON_MS };

/** "150m" → 9000000; undefined for anything that is not a duration. */
export function durationOf(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return durationMs(text);
  } catch {
    return undefined;
  }
}

/** Settings from an experiment's `analysis:` block (validated by the schema when the run started). */
export function analysisSettings(config: AnalysisConfig | undefined, stepMs?: number, seed?: number): AnalysisSettings {
  const t = config?.track;
  return {
    ...(seed !== undefined ? { seed } : {}),
    enable: config?.enable ?? null,
    track: {
      top: t?.top ?? DEFAULT_TRACK.top,
      labels: t?.labels ?? null,
      seeds: t?.seeds ?? true,
      posts: t?.posts ?? [],
      datasetPosts: t?.dataset_posts ?? [],
    },
    horizonMs: durationOf(config?.cascades?.horizon) ?? DEFAULT_HORIZON_MS,
    ...(stepMs !== undefined ? { stepMs } : {}),
  };
}

interface ResolvedDoc {
  analysis?: AnalysisConfig;
  clock?: { step?: string };
  seed?: unknown;
  dataset?: { generate?: { stance_topics?: unknown } };
  surveys?: unknown;
  models?: Record<string, ModelConfig>;
  budget?: BudgetConfig;
}

/** What the stance analysis reads from the experiment: its stance topics and its surveys' scales. */
function stanceContext(doc: ResolvedDoc | null): Pick<AnalysisSettings, 'stanceTopics' | 'surveyScales' | 'stanceJudge'> {
  const topics = doc?.dataset?.generate?.stance_topics;
  const scales: Record<string, { min: number; max: number }> = {};
  for (const s of Array.isArray(doc?.surveys) ? (doc.surveys as unknown[]) : []) {
    const survey = s as { name?: unknown; scale?: { min?: unknown; max?: unknown } } | null;
    if (typeof survey?.name !== 'string') continue;
    const min = survey.scale?.min;
    const max = survey.scale?.max;
    scales[survey.name] = { min: typeof min === 'number' ? min : 1, max: typeof max === 'number' ? max : 7 };
  }
  const judge = doc?.analysis?.stance?.judge;
  const model = judge === undefined ? undefined : doc?.models?.[judge];
  return {
    ...(Array.isArray(topics) ? { stanceTopics: topics.filter((t): t is string => typeof t === 'string') } : {}),
    surveyScales: scales,
    ...(judge !== undefined && model !== undefined ? { stanceJudge: { name: judge, model, budgets: { models: doc?.models ?? {}, ...(doc?.budget ? { budget: doc.budget } : {}) } } } : {}),
  };
}

/**
 * The settings of a run folder: its experiment.resolved.yaml's `analysis:` and clock step, or
 * the defaults when the folder has no such file (or it no longer parses).
 */
export function runAnalysisSettings(runDir: string): AnalysisSettings {
  const file = join(runDir, 'experiment.resolved.yaml');
  if (!existsSync(file)) return DEFAULT_ANALYSIS;
  try {
    const doc = parse(readFileSync(file, 'utf8')) as ResolvedDoc | null;
    return { ...analysisSettings(doc?.analysis, durationOf(doc?.clock?.step), typeof doc?.seed === 'number' ? doc.seed : undefined), ...stanceContext(doc), runDir };
  } catch {
    return DEFAULT_ANALYSIS;
  }
}
