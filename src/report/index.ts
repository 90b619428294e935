export { writeReport, buildReport, buildSpecs, renderReport, DEFAULT_TOP_POSTS } from './write.js';
export type { ReportOptions, BuiltReport } from './write.js';
export { REPORT_SECTIONS } from './registry.js';
export type { ReportSection, ReportContext, Section } from './types.js';
export { readRunInfo, parseRunInfo, type RunInfo } from './run-info.js';
