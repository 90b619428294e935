import type { ActivityDistributionConfig, GenerateConfig } from '../config/types.js';

/**
 * `dataset.generate` with every optional field filled. The schema gives these fields no default
 * on purpose: a default would enter every experiment's config hash (and so its run id) and stop
 * old runs from resuming. The defaults here reproduce generation as it was before they existed.
 */
export interface FilledGenerate extends Required<Omit<GenerateConfig, 'activity_distribution'>> {
  readonly activity_distribution: Required<ActivityDistributionConfig>;
}

/** Rough age mix of adult social-media users (Pew-style bands), as relative weights. */
export const DEFAULT_AGE_BANDS: Readonly<Record<string, number>> = { '18-24': 17, '25-34': 29, '35-49': 30, '50-64': 17, '65+': 7 };

export function filledGenerate(gen: GenerateConfig): FilledGenerate {
  const dist = gen.activity_distribution;
  return {
    ...gen,
    stance_topics: gen.stance_topics ?? [],
    polarization: gen.polarization ?? 0,
    age_bands: gen.age_bands ?? DEFAULT_AGE_BANDS,
    activity_distribution: {
      kind: dist?.kind ?? 'beta',
      concentration: dist?.concentration ?? 4,
      sigma: dist?.sigma ?? 1,
      alpha: dist?.alpha ?? 1.5,
    },
    follow_model: gen.follow_model ?? 'influence',
    attachment_offset: gen.attachment_offset ?? 1,
    stance_homophily: gen.stance_homophily ?? 0,
  };
}
