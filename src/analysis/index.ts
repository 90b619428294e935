export { openSimDb, withSimDb, type SimDb, type Row, type Cell, type Params } from './open.js';
export * from './run-metrics.js';
export * from './summary.js';
export { formatRunSummary, textTable } from './format.js';
export * from './cascades.js';
export * from './real-cascades.js';
export * from './nrmse.js';
export * from './distributions.js';
