/**
 * Budgets across machines: the gate of src/llm/budget-gate.ts with its state in Redis, so every
 * `socialsim worker` of a run, and the run itself (its embedding requests), count against the
 * same caps. The semantics are that gate's, to the arithmetic: each HTTP attempt is reserved just
 * before it is sent; requests are counted when reserved, so at most `maxRequests` are ever sent;
 * tokens and cost reserve the prompt estimate plus `max_tokens`, and `settle` replaces the
 * reservation by what the server reported; the first refusal exhausts its scope for the rest of
 * the run. Each operation is one Lua script, which Redis runs atomically (the in-process gate's
 * lock), reading and writing the same doubles in the same order (written with %.17g, so they
 * come back bit for bit).
 *
 * State, one hash per run (`socialsim:budget:<run>`): `on` (the run set it up), per model index m
 * `r:m p:m c:m pr:m cr:m` (requests; prompt and completion tokens reported; prompt and completion
 * reserved), per scope index k `x:k` (the refusal's code, 1 + its index in LIMIT_CODES). Counts
 * and codes only: no key, no prompt. The run writes it (`RedisRunGate.start`) from the spending
 * it starts with (a resumed run's committed requests) before any job is queued.
 */
import type { Redis } from 'ioredis';
import { TaskAbort } from '../agents/llm/task-abort.js';
import {
  BudgetGate,
  LIMIT_CODES,
  refusalMessage,
  type Admission,
  type BudgetLimit,
  type BudgetModelDef,
  type BudgetScopeDef,
  type RequestGate,
  type Reservation,
  type RunGate,
} from '../llm/budget-gate.js';
import { PREFIX } from './protocol.js';

/** A run's budgets as its workers get them (in the run's `RemoteInit`). */
export interface BudgetSpec {
  /** The hash holding the state. */
  readonly key: string;
  readonly models: readonly BudgetModelDef[];
  readonly scopes: readonly BudgetScopeDef[];
}

export function budgetKey(run: string): string {
  return `${PREFIX}:budget:${run}`;
}

/** The run's budget state is not in Redis (flushed, or an empty Redis after a restart): nothing may be sent. */
export class BudgetStateLostError extends TaskAbort {
  readonly code = 'run.budget_state_lost';
}

const NUM = `local function num(f) return tonumber(redis.call('HGET', KEYS[1], f) or '0') end
local function fmt(x) return string.format('%.17g', x) end`;

/**
 * ARGV: model index, prompt, completion (both ≥ 0), and the model's scopes as JSON
 * `{ s: [{ k, m: [model indices], r?, t?, c? }], p: [[prompt price, completion price] per model] }`.
 * Returns {'ok'}, {'no', k, code, requests, tokens, cost} or {'gone'}.
 */
const RESERVE = `if redis.call('HEXISTS', KEYS[1], 'on') == 0 then return {'gone'} end
${NUM}
local m = tonumber(ARGV[1])
local prompt = tonumber(ARGV[2])
local completion = tonumber(ARGV[3])
local spec = cjson.decode(ARGV[4])
local function cost(i, p, c)
  local price = spec.p[i + 1]
  return (price[1] * p + price[2] * c) / 1e6
end
local function spend(s)
  local req, tok, usd = 0, 0, 0
  for _, i in ipairs(s.m) do
    local p = num('p:' .. i) + num('pr:' .. i)
    local c = num('c:' .. i) + num('cr:' .. i)
    req = req + num('r:' .. i)
    tok = tok + (p + c)
    usd = usd + cost(i, p, c)
  end
  return req, tok, usd
end
for _, s in ipairs(spec.s) do
  local code = tonumber(redis.call('HGET', KEYS[1], 'x:' .. s.k) or '0')
  if code == 0 then
    local req, tok, usd = spend(s)
    if s.r ~= nil and req + 1 > s.r then code = 1
    elseif s.t ~= nil and tok + prompt + completion > s.t then code = 2
    elseif s.c ~= nil and usd + cost(m, prompt, completion) > s.c then code = 3 end
    if code > 0 then redis.call('HSET', KEYS[1], 'x:' .. s.k, code) end
  end
  if code > 0 then
    local req, tok, usd = spend(s)
    return {'no', tostring(s.k), tostring(code), fmt(req), fmt(tok), fmt(usd)}
  end
end
redis.call('HSET', KEYS[1], 'r:' .. m, fmt(num('r:' .. m) + 1), 'pr:' .. m, fmt(num('pr:' .. m) + prompt), 'cr:' .. m, fmt(num('cr:' .. m) + completion))
return {'ok'}`;

/** ARGV: model index, reserved prompt and completion, reported prompt and completion (≥ 0). */
const SETTLE = `if redis.call('HEXISTS', KEYS[1], 'on') == 0 then return 0 end
${NUM}
local m = ARGV[1]
local function add(f, x) redis.call('HSET', KEYS[1], f, fmt(num(f) + x)) end
add('pr:' .. m, -tonumber(ARGV[2]))
add('cr:' .. m, -tonumber(ARGV[3]))
add('p:' .. m, tonumber(ARGV[4]))
add('c:' .. m, tonumber(ARGV[5]))
return 1`;

/** ARGV: seconds to keep the state, then field, value pairs. Replaces whatever the run had. */
const INIT = `redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'on', '1', unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

type Reply = Promise<unknown>;
interface GateCommands {
  socialsimBudgetReserve(key: string, m: number, prompt: number, completion: number, spec: string): Reply;
  socialsimBudgetSettle(key: string, m: number, prompt: number, completion: number, usedPrompt: number, usedCompletion: number): Reply;
  socialsimBudgetInit(key: string, ttlS: number, ...fields: (string | number)[]): Reply;
}

const defined = new WeakSet<Redis>();

/** The client with the scripts as commands (EVALSHA, the script sent again only when Redis lacks it). */
function commands(client: Redis): Redis & GateCommands {
  if (!defined.has(client)) {
    client.defineCommand('socialsimBudgetReserve', { numberOfKeys: 1, lua: RESERVE });
    client.defineCommand('socialsimBudgetSettle', { numberOfKeys: 1, lua: SETTLE });
    client.defineCommand('socialsimBudgetInit', { numberOfKeys: 1, lua: INIT });
    defined.add(client);
  }
  return client as Redis & GateCommands;
}

/** The Redis-backed gate a sender (a worker's client) reserves and settles through. */
export class RedisGate implements RequestGate {
  private readonly modelIndex: Map<string, number>;
  /** Per model: the scopes covering it, by index. */
  private readonly scopesOf: number[][];
  /** Per model: the reserve script's scope argument. */
  private readonly scopeArg: string[];
  /** Scopes this gate saw refuse a request, and which cap. */
  readonly refused = new Map<string, BudgetLimit>();

  constructor(
    private readonly client: Redis,
    readonly spec: BudgetSpec,
  ) {
    this.modelIndex = new Map(spec.models.map((m, i) => [m.name, i]));
    this.scopesOf = spec.models.map((m) => spec.scopes.flatMap((s, k) => (s.models.includes(m.name) ? [k] : [])));
    const prices = spec.models.map((m) => [m.price?.prompt ?? 0, m.price?.completion ?? 0]);
    this.scopeArg = this.scopesOf.map((ks) =>
      JSON.stringify({
        s: ks.map((k) => {
          const s = spec.scopes[k]!;
          // Models of the scope this gate does not know count nothing, as in BudgetGate.
          const m = s.models.flatMap((name) => (this.modelIndex.has(name) ? [this.modelIndex.get(name)!] : []));
          return { k, m, ...(s.maxRequests !== undefined ? { r: s.maxRequests } : {}), ...(s.maxTokens !== undefined ? { t: s.maxTokens } : {}), ...(s.maxCostUsd !== undefined ? { c: s.maxCostUsd } : {}) };
        }),
        p: prices,
      }),
    );
  }

  covers(model: string): boolean {
    const i = this.modelIndex.get(model);
    return i !== undefined && this.scopesOf[i]!.length > 0;
  }

  needsTokens(model: string): boolean {
    const i = this.modelIndex.get(model);
    return i !== undefined && this.scopesOf[i]!.some((k) => this.spec.scopes[k]!.maxTokens !== undefined || this.spec.scopes[k]!.maxCostUsd !== undefined);
  }

  async reserve(model: string, promptTokens: number, completionTokens: number): Promise<Admission> {
    const m = this.modelIndex.get(model);
    if (m === undefined || this.scopesOf[m]!.length === 0) return { ok: true, reservation: null };
    const prompt = Math.max(0, promptTokens);
    const completion = Math.max(0, completionTokens);
    let r: string[];
    try {
      r = (await commands(this.client).socialsimBudgetReserve(this.spec.key, m, prompt, completion, this.scopeArg[m]!)) as string[];
    } catch (err) {
      // Not knowing whether the request may go, it does not: the job fails (the run stops, resumable).
      throw new BudgetStateLostError(`cannot reach the run's budgets in Redis (${err instanceof Error ? err.message : String(err)}): request not sent`);
    }
    if (r[0] === 'gone') throw new BudgetStateLostError(`the run's budgets (${this.spec.key}) are not in Redis (was it flushed or restarted?); nothing is sent until the run is resumed`);
    if (r[0] === 'ok') return { ok: true, reservation: { model: m, promptTokens: prompt, completionTokens: completion } };
    const scope = this.spec.scopes[Number(r[1])]!;
    const limit = LIMIT_CODES[Number(r[2]) - 1]!;
    this.refused.set(scope.name, limit);
    return { ok: false, scope: scope.name, limit, message: refusalMessage(scope, limit, { requests: Number(r[3]), tokens: Number(r[4]), costUsd: Number(r[5]) }) };
  }

  async settle(reservation: Reservation | null, used: { readonly promptTokens: number; readonly completionTokens: number }): Promise<void> {
    if (!reservation) return;
    // A settle that does not arrive leaves the reservation counted: the caps err on the safe side.
    await commands(this.client)
      .socialsimBudgetSettle(this.spec.key, reservation.model, reservation.promptTokens, reservation.completionTokens, Math.max(0, used.promptTokens), Math.max(0, used.completionTokens))
      .catch(() => undefined);
  }
}

/**
 * The run's gate when its requests go to workers. Until the run's pool starts (`start`, before
 * the first job) it is an in-process gate, which takes the spending the run starts with (`add`)
 * and the scopes exhausted earlier (`close`); `start` writes that state to Redis, and from then
 * on every reserve and settle, the run's own included, goes there. The refusals of the workers'
 * requests are read back from Redis after each call's jobs have finished (`refresh`), so at the
 * end of a step the run knows every refusal, as with threads.
 */
export class RedisRunGate implements RunGate {
  private readonly local: BudgetGate;
  private remote: RedisGate | null = null;
  private started: Promise<void> | null = null;
  private client: Redis | null = null;
  private readonly read = new Map<string, BudgetLimit>();

  constructor(readonly spec: BudgetSpec) {
    this.local = BudgetGate.create(spec.models, spec.scopes);
  }

  covers(model: string): boolean {
    return this.local.covers(model);
  }

  needsTokens(model: string): boolean {
    return this.local.needsTokens(model);
  }

  reserve(model: string, promptTokens: number, completionTokens: number): Admission | Promise<Admission> {
    if (this.started === null) return this.local.reserve(model, promptTokens, completionTokens);
    return this.started.then(() => this.remote!.reserve(model, promptTokens, completionTokens));
  }

  /** A reservation made before `start` is settled in Redis too: `start` copied it there. */
  settle(reservation: Reservation | null, used: { readonly promptTokens: number; readonly completionTokens: number }): void | Promise<void> {
    if (this.started === null) return this.local.settle(reservation, used);
    return this.started.then(() => this.remote!.settle(reservation, used));
  }

  add(model: string, usage: { readonly requests: number; readonly promptTokens: number; readonly completionTokens: number }): void {
    this.notStarted('add');
    this.local.add(model, usage);
  }

  close(scope: string): void {
    this.notStarted('close');
    this.local.close(scope);
  }

  refusals(): { scope: string; limit: BudgetLimit }[] {
    const all = new Map(this.local.refusals().map((r) => [r.scope, r.limit]));
    for (const [scope, limit] of [...this.read, ...(this.remote?.refused ?? [])]) if (!all.has(scope)) all.set(scope, limit);
    return this.spec.scopes.flatMap((s) => (all.has(s.name) ? [{ scope: s.name, limit: all.get(s.name)! }] : []));
  }

  /** Moves the state to Redis (kept `ttlS` seconds); the first call does it, later ones wait for it. */
  start(client: Redis, ttlS: number): Promise<void> {
    if (this.started) return this.started;
    const fields: (string | number)[] = [];
    this.spec.models.forEach((m, i) => {
      const s = this.local.spend(m.name);
      fields.push(`r:${i}`, s.requests, `p:${i}`, s.promptTokens, `c:${i}`, s.completionTokens, `pr:${i}`, s.reservedPrompt, `cr:${i}`, s.reservedCompletion);
    });
    const codes = new Map(this.local.refusals().map((r) => [r.scope, LIMIT_CODES.indexOf(r.limit) + 1]));
    this.spec.scopes.forEach((s, k) => {
      if (codes.has(s.name)) fields.push(`x:${k}`, codes.get(s.name)!);
    });
    this.client = client;
    this.remote = new RedisGate(client, this.spec);
    this.started = commands(client).socialsimBudgetInit(this.spec.key, ttlS, ...fields).then(() => undefined);
    this.started.catch(() => undefined);
    return this.started;
  }

  /** Reads which scopes have refused a request so far (the workers' refusals among them). */
  async refresh(): Promise<void> {
    if (!this.client) return;
    const codes = await this.client.hmget(this.spec.key, ...this.spec.scopes.map((_, k) => `x:${k}`));
    codes.forEach((c, k) => {
      const code = Number(c ?? 0);
      if (code > 0 && !this.read.has(this.spec.scopes[k]!.name)) this.read.set(this.spec.scopes[k]!.name, LIMIT_CODES[code - 1]!);
    });
  }

  private notStarted(what: string): void {
    if (this.started) throw new Error(`RedisRunGate.${what} after the gate moved to Redis`);
  }
}
