/**
 * A lean `fetch` for the openai SDK over node:http(s) with keep-alive agents. Node's built-in
 * fetch (undici + web streams + transferable AbortSignals) costs ~1.5 ms of CPU per chat call;
 * thousands of agents per step make that the runner's bottleneck. This one buffers the whole
 * response (chat completions are not streamed here) and hands the SDK a small Response
 * look-alike with exactly what its non-streaming path reads: status, ok, url, headers
 * (get/entries/…), text(), json(), and a null body.
 */
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' }),
};

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const h = init?.headers;
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof (h as Headers).forEach === 'function' && !Array.isArray(h)) (h as Headers).forEach((value, key) => (out[key] = value));
  else for (const [k, v] of Array.isArray(h) ? h : Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** Read-only response headers, keys lower-cased (what the SDK reads of `Headers`). */
class BufferedHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: http.IncomingHttpHeaders) {
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) this.map.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  forEach(fn: (value: string, key: string) => void): void {
    this.map.forEach((v, k) => fn(v, k));
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

class BufferedResponse {
  readonly body = null;
  readonly bodyUsed = false;
  readonly redirected = false;
  readonly type = 'basic';
  readonly ok: boolean;
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: BufferedHeaders,
    readonly url: string,
    private readonly bytes: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }
  async text(): Promise<string> {
    return this.bytes.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.bytes.toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(this.bytes.byteOffset, this.bytes.byteOffset + this.bytes.byteLength) as ArrayBuffer;
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

export function nodeFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const lib = url.protocol === 'https:' ? https : http;
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('nodeFetch sends string bodies only'));
  }
  return new Promise<Response>((resolve, reject) => {
    const req = lib.request(url, { method: init?.method ?? 'GET', headers: headersOf(init), agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const response = new BufferedResponse(res.statusCode ?? 0, res.statusMessage ?? '', new BufferedHeaders(res.headers), url.href, Buffer.concat(chunks));
        resolve(response as unknown as Response);
      });
    });
    const onAbort = (): void => {
      req.destroy(signal ? abortError(signal) : undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? abortError(signal) : err);
    });
    req.end(body ?? undefined);
  });
}
