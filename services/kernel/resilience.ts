import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  type IPolicy,
  noop,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";

/**
 * One policy per upstream (a broker, another service): a timeout on every call, a circuit
 * breaker that stops hammering an upstream that keeps failing, and retries with exponential
 * backoff only for calls the caller marks idempotent (a retried POST could act twice).
 *
 * Two choices keep it cheap on a hot path such as the gateway's proxy:
 *
 * - an open circuit is not retried: the caller gets `BrokenCircuitError` at once (a fast 503)
 *   instead of after the retry backoff, which would only meet the same open circuit again;
 * - an attempt's signal aborts only when the attempt times out, not after it returned: an
 *   abort builds a `DOMException` with a stack trace, which on every call costs more than a
 *   proxied request itself.
 */
/**
 * The gateway's per-attempt limit for an upstream call. Every wait inside a service (a
 * replicated record not arrived yet, an idempotency claim still running) ends well before
 * it, so that one caller's slow 4xx is never a timeout that counts against the breaker.
 */
export const UPSTREAM_TIMEOUT_MS = 2_000;

export interface UpstreamPolicyOptions {
  /** Per-attempt time limit. @default UPSTREAM_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Retries after the first attempt for idempotent calls. @default 2 */
  readonly retries?: number;
  /** First retry delay. @default 100 */
  readonly initialDelayMs?: number;
  /** Consecutive failures that open the breaker. @default 5 */
  readonly breakerThreshold?: number;
  /** Time the breaker stays open before letting one trial call through. @default 5_000 */
  readonly halfOpenAfterMs?: number;
}

export interface UpstreamPolicy {
  readonly name: string;
  /** Runs `call` under the policy; `signal` aborts when the attempt times out. */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, options?: { idempotent?: boolean }): Promise<T>;
  /** "closed" (healthy), "open" (failing fast) or "half-open" (trying again). */
  readonly state: "closed" | "open" | "half-open" | "isolated";
}

export function createUpstreamPolicy(name: string, options: UpstreamPolicyOptions = {}): UpstreamPolicy {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs ?? 5_000,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
  });
  const perAttempt = timeout(options.timeoutMs ?? UPSTREAM_TIMEOUT_MS, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const retries = options.retries ?? 2;
  const withRetry: IPolicy =
    retries > 0
      ? retry(
          handleWhen((error) => !(error instanceof BrokenCircuitError)),
          {
            maxAttempts: retries,
            backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs ?? 100, maxDelay: 2_000 }),
          },
        )
      : noop;
  const idempotent = wrap(withRetry, breaker, perAttempt);
  const once = wrap(breaker, perAttempt);
  const states = {
    [CircuitState.Closed]: "closed",
    [CircuitState.Open]: "open",
    [CircuitState.HalfOpen]: "half-open",
    [CircuitState.Isolated]: "isolated",
  } as const;
  return {
    name,
    execute: (call, opts = {}) =>
      (opts.idempotent ? idempotent : once).execute(({ signal }) => call(signal)) as ReturnType<typeof call>,
    get state() {
      return states[breaker.state];
    },
  };
}
