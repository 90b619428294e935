/**
 * Spending caps checked as requests are sent, shared by every thread that holds the same
 * `SharedArrayBuffer` (the endpoint limiter's mechanism, limiter.ts): create the gate in the
 * main thread, post `.shared` to the worker threads and `BudgetGate.attach` it there; the caps
 * then hold across all of them.
 *
 * A scope is one cap (`budget:` of a model, or of the whole run over several models). Before
 * each HTTP request (each attempt: retries are requests too) the sender `reserve`s it:
 *
 * - requests: counted when reserved, so at most `maxRequests` are ever sent;
 * - tokens and cost: the request reserves its prompt as estimated by the sender and its whole
 *   completion allowance (`max_tokens`); it may go only if the tokens (cost) reported so far, plus
 *   the reservations of the requests in flight, plus its own stay within the cap. `settle`
 *   replaces the reservation by what the server reported. The cap therefore holds whenever the
 *   server's prompt count is not above the estimate; otherwise it can be passed by at most the
 *   estimate's shortfall over the requests in flight, never by a request nobody reserved.
 *
 * The first request a scope turns away exhausts it: nothing covered by it is sent again in this
 * run (`refusals` tells the engine, which ends the run or falls back after the step).
 *
 * Layout of the buffer: Int32 [lock, refusal code × scopes], padded to 8 bytes, then Float64
 * [requests, prompt used, completion used, prompt reserved, completion reserved] × models. The
 * Float64 part is only touched under the lock, which is taken and released with Atomics (they
 * order the plain reads and writes between threads).
 */

export interface BudgetLimits {
  readonly maxRequests?: number;
  readonly maxTokens?: number;
  readonly maxCostUsd?: number;
}

export interface BudgetScopeDef extends BudgetLimits {
  /** `run`, or the model key of a model's own budget. */
  readonly name: string;
  /** Model keys whose requests count against it. */
  readonly models: readonly string[];
}

export interface BudgetModelDef {
  readonly name: string;
  /** USD per million prompt / completion tokens. */
  readonly price?: { readonly prompt?: number; readonly completion?: number };
}

/** Plain, structured-cloneable description of a gate; post it to a worker thread. */
export interface SharedBudget {
  readonly sab: SharedArrayBuffer;
  readonly models: readonly BudgetModelDef[];
  readonly scopes: readonly BudgetScopeDef[];
}

export type BudgetLimit = 'requests' | 'tokens' | 'cost' | 'closed';

/** What a sent request holds until it is settled. */
export interface Reservation {
  readonly model: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export type Admission =
  | { readonly ok: true; readonly reservation: Reservation | null }
  | { readonly ok: false; readonly scope: string; readonly limit: BudgetLimit; readonly message: string };

export interface ModelSpend {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reservedPrompt: number;
  reservedCompletion: number;
}

export interface ScopeSpend {
  readonly requests: number;
  /** Reported plus reserved. */
  readonly tokens: number;
  readonly costUsd: number;
}

/**
 * What a sender needs of a gate: this one (threads of one process) or the Redis-backed one that
 * `socialsim worker`s share (src/distributed/budget.ts), whose answers come over the network.
 */
export interface RequestGate {
  covers(model: string): boolean;
  needsTokens(model: string): boolean;
  reserve(model: string, promptTokens: number, completionTokens: number): Admission | Promise<Admission>;
  settle(reservation: Reservation | null, used: { readonly promptTokens: number; readonly completionTokens: number }): void | Promise<void>;
}

/** What the run needs besides: spending before it started, scopes closed earlier, and the refusals. */
export interface RunGate extends RequestGate {
  add(model: string, usage: { readonly requests: number; readonly promptTokens: number; readonly completionTokens: number }): void;
  close(scope: string): void;
  refusals(): { scope: string; limit: BudgetLimit }[];
}

const LOCK = 0;
const FIELDS = 5;
const [REQ, P_USED, C_USED, P_RES, C_RES] = [0, 1, 2, 3, 4];
const CODES: readonly BudgetLimit[] = ['requests', 'tokens', 'cost', 'closed'];
const intBytes = (scopes: number): number => Math.ceil(((1 + scopes) * 4) / 8) * 8;

/** How the error of a request a budget turned away begins; `budgetScopeOf` reads the scope back. */
const REFUSAL = /^budget (\S+) exhausted/;

/** The scope named by a refusal message (as recorded in llm_calls.error), or null. */
export function budgetScopeOf(message: string | null | undefined): string | null {
  return REFUSAL.exec(message ?? '')?.[1] ?? null;
}

export class BudgetGate implements RunGate {
  readonly shared: SharedBudget;
  private readonly ints: Int32Array;
  private readonly nums: Float64Array;
  private readonly modelIndex: Map<string, number>;
  /** Per model: the scopes covering it, by index. */
  private readonly scopesOf: number[][];

  static create(models: readonly BudgetModelDef[], scopes: readonly BudgetScopeDef[]): BudgetGate {
    const sab = new SharedArrayBuffer(intBytes(scopes.length) + 8 * FIELDS * models.length);
    return new BudgetGate({ sab, models: models.map((m) => ({ ...m })), scopes: scopes.map((s) => ({ ...s, models: [...s.models] })) });
  }

  static attach(shared: SharedBudget): BudgetGate {
    return new BudgetGate(shared);
  }

  private constructor(shared: SharedBudget) {
    this.shared = shared;
    this.ints = new Int32Array(shared.sab, 0, 1 + shared.scopes.length);
    this.nums = new Float64Array(shared.sab, intBytes(shared.scopes.length), FIELDS * shared.models.length);
    this.modelIndex = new Map(shared.models.map((m, i) => [m.name, i]));
    this.scopesOf = shared.models.map((m) => shared.scopes.flatMap((s, k) => (s.models.includes(m.name) ? [k] : [])));
  }

  /** Whether any cap counts this model's requests (if none, `reserve` always admits). */
  covers(model: string): boolean {
    const i = this.modelIndex.get(model);
    return i !== undefined && this.scopesOf[i]!.length > 0;
  }

  /** Whether some cap of this model counts tokens or cost (a sender need not estimate prompts otherwise). */
  needsTokens(model: string): boolean {
    const i = this.modelIndex.get(model);
    if (i === undefined) return false;
    return this.scopesOf[i]!.some((k) => {
      const s = this.shared.scopes[k]!;
      return s.maxTokens !== undefined || s.maxCostUsd !== undefined;
    });
  }

  /**
   * Admits one request of `model` (counting it) with its token reservation, or turns it away
   * naming the scope and exhausting that scope for good.
   */
  reserve(model: string, promptTokens: number, completionTokens: number): Admission {
    const m = this.modelIndex.get(model);
    if (m === undefined || this.scopesOf[m]!.length === 0) return { ok: true, reservation: null };
    const prompt = Math.max(0, promptTokens);
    const completion = Math.max(0, completionTokens);
    this.lock();
    try {
      for (const k of this.scopesOf[m]!) {
        const code = Atomics.load(this.ints, 1 + k);
        const limit = code > 0 ? CODES[code - 1]! : this.wouldPass(k, m, prompt, completion);
        if (limit) {
          if (code === 0) Atomics.store(this.ints, 1 + k, CODES.indexOf(limit) + 1);
          return { ok: false, scope: this.shared.scopes[k]!.name, limit, message: this.refusalMessage(k, limit) };
        }
      }
      const base = m * FIELDS;
      this.nums[base + REQ]! += 1;
      this.nums[base + P_RES]! += prompt;
      this.nums[base + C_RES]! += completion;
      return { ok: true, reservation: { model: m, promptTokens: prompt, completionTokens: completion } };
    } finally {
      this.unlock();
    }
  }

  /** The request's reservation is released and the tokens the server reported are counted instead. */
  settle(reservation: Reservation | null, used: { readonly promptTokens: number; readonly completionTokens: number }): void {
    if (!reservation) return;
    const base = reservation.model * FIELDS;
    this.lock();
    try {
      this.nums[base + P_RES]! -= reservation.promptTokens;
      this.nums[base + C_RES]! -= reservation.completionTokens;
      this.nums[base + P_USED]! += Math.max(0, used.promptTokens);
      this.nums[base + C_USED]! += Math.max(0, used.completionTokens);
    } finally {
      this.unlock();
    }
  }

  /** Spending recorded before this gate existed (a resumed run's committed requests). */
  add(model: string, usage: { readonly requests: number; readonly promptTokens: number; readonly completionTokens: number }): void {
    const m = this.modelIndex.get(model);
    if (m === undefined) return;
    const base = m * FIELDS;
    this.lock();
    try {
      this.nums[base + REQ]! += usage.requests;
      this.nums[base + P_USED]! += usage.promptTokens;
      this.nums[base + C_USED]! += usage.completionTokens;
    } finally {
      this.unlock();
    }
  }

  /** A scope exhausted earlier (a resumed run's recorded decision): nothing it covers is sent again. */
  close(scope: string): void {
    const k = this.shared.scopes.findIndex((s) => s.name === scope);
    if (k >= 0) Atomics.compareExchange(this.ints, 1 + k, 0, CODES.indexOf('closed') + 1);
  }

  /** Scopes that turned a request away, and which cap did it. */
  refusals(): { scope: string; limit: BudgetLimit }[] {
    return this.shared.scopes.flatMap((s, k) => {
      const code = Atomics.load(this.ints, 1 + k);
      return code > 0 ? [{ scope: s.name, limit: CODES[code - 1]! }] : [];
    });
  }

  spend(model: string): ModelSpend {
    const m = this.modelIndex.get(model);
    if (m === undefined) return { requests: 0, promptTokens: 0, completionTokens: 0, reservedPrompt: 0, reservedCompletion: 0 };
    const base = m * FIELDS;
    this.lock();
    try {
      return {
        requests: this.nums[base + REQ]!,
        promptTokens: this.nums[base + P_USED]!,
        completionTokens: this.nums[base + C_USED]!,
        reservedPrompt: this.nums[base + P_RES]!,
        reservedCompletion: this.nums[base + C_RES]!,
      };
    } finally {
      this.unlock();
    }
  }

  /** Requests, tokens (reported + reserved) and cost of a scope's models; call under the lock. */
  private scopeSpend(k: number): ScopeSpend {
    let requests = 0;
    let tokens = 0;
    let costUsd = 0;
    for (const name of this.shared.scopes[k]!.models) {
      const m = this.modelIndex.get(name);
      if (m === undefined) continue;
      const base = m * FIELDS;
      const prompt = this.nums[base + P_USED]! + this.nums[base + P_RES]!;
      const completion = this.nums[base + C_USED]! + this.nums[base + C_RES]!;
      requests += this.nums[base + REQ]!;
      tokens += prompt + completion;
      costUsd += this.cost(m, prompt, completion);
    }
    return { requests, tokens, costUsd };
  }

  private cost(m: number, prompt: number, completion: number): number {
    const price = this.shared.models[m]!.price;
    return ((price?.prompt ?? 0) * prompt + (price?.completion ?? 0) * completion) / 1e6;
  }

  /** The cap one more request of model `m` would pass, or null. */
  private wouldPass(k: number, m: number, prompt: number, completion: number): BudgetLimit | null {
    const s = this.shared.scopes[k]!;
    const now = this.scopeSpend(k);
    if (s.maxRequests !== undefined && now.requests + 1 > s.maxRequests) return 'requests';
    if (s.maxTokens !== undefined && now.tokens + prompt + completion > s.maxTokens) return 'tokens';
    if (s.maxCostUsd !== undefined && now.costUsd + this.cost(m, prompt, completion) > s.maxCostUsd) return 'cost';
    return null;
  }

  private refusalMessage(k: number, limit: BudgetLimit): string {
    return refusalMessage(this.shared.scopes[k]!, limit, this.scopeSpend(k));
  }

  private lock(): void {
    while (Atomics.compareExchange(this.ints, LOCK, 0, 1) !== 0) Atomics.wait(this.ints, LOCK, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.ints, LOCK, 0);
    Atomics.notify(this.ints, LOCK, 1);
  }
}

/** The error of a request scope `s` turned away, given what the scope had used when it did. */
export function refusalMessage(s: BudgetScopeDef, limit: BudgetLimit, now: ScopeSpend): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const what =
    limit === 'requests'
      ? `${n(now.requests)} requests of ${n(s.maxRequests ?? 0)} allowed`
      : limit === 'tokens'
        ? `${n(now.tokens)} tokens used or reserved of ${n(s.maxTokens ?? 0)} allowed`
        : limit === 'cost'
          ? `$${now.costUsd.toFixed(4)} used or reserved of $${s.maxCostUsd} allowed`
          : 'used up earlier in the run';
  return `budget ${s.name} exhausted (${what}): request not sent`;
}

/** The caps' codes as the buffer (and the Redis gate) store them: 1 + index, 0 for none. */
export const LIMIT_CODES: readonly BudgetLimit[] = CODES;
