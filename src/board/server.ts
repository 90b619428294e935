/**
 * `socialsim board`: a local web app over a results folder. Reads runs only — databases
 * read-only, run.json and events.jsonl as files — and binds to 127.0.0.1 unless told otherwise.
 */
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { BoardError, errorReply, send, type BoardContext, type Route } from './http.js';
import { RunDatabases } from './results.js';
import { boardRoutes } from './routes/index.js';
import type { BoardServices } from './services.js';
import { staticReply } from './static.js';

export interface BoardOptions {
  readonly resultsDir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** How long a run's database stays open after its last request (ms). */
  readonly idleCloseMs?: number;
}

export interface Board {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startBoard(o: BoardOptions): Promise<Board> {
  const resultsDir = resolve(o.resultsDir);
  const services: BoardServices = { dbs: new RunDatabases(o.idleCloseMs) };
  const routes = new Map<string, Route>(boardRoutes(services).map((r) => [`${r.method} ${r.path}`, r]));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://board.local');
    const ctx: BoardContext = { resultsDir, url, req, res };
    const handle = async (): Promise<void> => {
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new BoardError(405, 'the board only reads: GET requests only');
        if (url.pathname.startsWith('/static/')) return send(res, staticReply(url.pathname.slice('/static/'.length)));
        const route = routes.get(`GET ${url.pathname}`);
        if (!route) throw new BoardError(404, `no page ${url.pathname.slice(0, 200)}`);
        send(res, await route.handle(ctx));
      } catch (err) {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (err instanceof BoardError) return send(res, errorReply(url.pathname, err.status, err.message));
        // A bug: the page gets one line; the trace goes to the board's terminal, not the browser.
        process.stderr.write(`board: ${req.method} ${url.pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        send(res, errorReply(url.pathname, 500, 'the board failed on this request (details in its terminal)'));
      }
    };
    void handle();
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 8080, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 8080);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      services.dbs.closeAll();
    },
  };
}
