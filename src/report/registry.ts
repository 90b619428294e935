/**
 * The report's sections, in page order. To add one: write `sections/<name>.ts` exporting a
 * `ReportSection`, and list it here.
 */
import { actionsPerStepSection } from './sections/actions-per-step.js';
import { exposureSection } from './sections/exposure.js';
import { herdingSection } from './sections/herding.js';
import { hotNewsSection } from './sections/hot-news.js';
import { knowledgeGraphSection } from './sections/knowledge-graph.js';
import { activeAgentsSection } from './sections/active-agents.js';
import { llmUsageSection } from './sections/llm-usage.js';
import { overview } from './sections/overview.js';
import { personaSection } from './sections/persona.js';
import { postsLikesSection } from './sections/posts-likes.js';
import { propagationSection } from './sections/propagation.js';
import { realVsSimSection } from './sections/real-vs-sim.js';
import { sentimentSection } from './sections/sentiment.js';
import { similaritySection } from './sections/similarity.js';
import { stanceSection } from './sections/stance.js';
import { surveysSection } from './sections/surveys.js';
import { topPostsSection } from './sections/top-posts.js';
import { trendsSection } from './sections/trends.js';
import type { ReportSection } from './types.js';

export const REPORT_SECTIONS: readonly ReportSection[] = [
  overview,
  actionsPerStepSection,
  activeAgentsSection,
  postsLikesSection,
  topPostsSection,
  trendsSection,
  hotNewsSection,
  propagationSection,
  exposureSection,
  sentimentSection,
  stanceSection,
  realVsSimSection,
  similaritySection,
  personaSection,
  knowledgeGraphSection,
  llmUsageSection,
  surveysSection,
  herdingSection,
];
