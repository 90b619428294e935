/** Every page and API route of the board, one module per page. */
import type { Route } from '../http.js';
import type { BoardServices } from '../services.js';
import { compareRoutes } from './compare.js';
import { replayRoutes } from './replay.js';
import { runRoutes } from './run.js';
import { runsRoutes } from './runs.js';
import { sessionsRoutes } from './sessions.js';

export function boardRoutes(services: BoardServices): Route[] {
  return [...runsRoutes(services), ...runRoutes(services), ...replayRoutes(services), ...compareRoutes(services), ...sessionsRoutes(services)];
}
