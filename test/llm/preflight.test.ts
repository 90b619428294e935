import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeEndpoint, probeModel } from '../../src/llm/preflight.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A loopback server answering every request with `status` (or never, with `null`); records the headers it got. */
async function serve(status: number | null): Promise<{ url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const s = createServer((req, res) => {
    headers.push(req.headers);
    if (status === null) return;
    res.statusCode = status;
    res.end('{}');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`, headers };
}

describe('endpoint preflight', () => {
  it('when the server answers 200 or 404 then the endpoint is up, and the key goes only in the header', async () => {
    const ok = await serve(200);
    const missing = await serve(404);
    expect(await probeEndpoint(ok.url, 'sk-canary-1234', 1_000)).toBeNull();
    expect(await probeEndpoint(missing.url, null, 1_000)).toBeNull();
    expect(ok.headers[0]!.authorization).toBe('Bearer sk-canary-1234');
    expect(missing.headers[0]!.authorization).toBeUndefined();
  });

  it('when the server answers 401, 403 or a 5xx then the endpoint is down with the status as the reason', async () => {
    expect(await probeEndpoint((await serve(401)).url, 'sk-canary-1234', 1_000)).toBe('HTTP 401 (the API key was refused)');
    expect(await probeEndpoint((await serve(403)).url, null, 1_000)).toBe('HTTP 403 (the API key was refused)');
    expect(await probeEndpoint((await serve(502)).url, null, 1_000)).toBe('HTTP 502');
  });

  it('when the server never answers then the probe gives up at its deadline', async () => {
    expect(await probeEndpoint((await serve(null)).url, null, 100)).toBe('no answer within 0.1 s');
  });

  it('when a model has several endpoints then each gets its own verdict, in order', async () => {
    const [up, down] = [await serve(200), await serve(503)];
    const r = await probeModel({ name: 'm', endpoints: [{ url: up.url, maxConcurrency: 1 }, { url: down.url, maxConcurrency: 1 }], apiKey: null, timeoutMs: 1_000 });
    expect(r).toEqual({ model: 'm', endpoints: [{ url: up.url, down: null }, { url: down.url, down: 'HTTP 503' }] });
  });
});
