/** Every page and API route of the board, one module per page. */
import type { Route } from '../http.js';
import type { BoardServices } from '../services.js';
import { replayRoutes } from './replay.js';
import { runsRoutes } from './runs.js';

export function boardRoutes(services: BoardServices): Route[] {
  return [...runsRoutes(services), ...replayRoutes(services)];
}
