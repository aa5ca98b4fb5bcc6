import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  noop,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";
import type { UpstreamPolicy, UpstreamPolicyOptions } from "../kernel/resilience.js";

/**
 * The gateway's policy per upstream: the kernel's shape and options (timeout per attempt,
 * retries with backoff for idempotent requests only, a circuit breaker), tuned for the hot
 * path of a proxy in two ways:
 *
 * - an open circuit is not retried, so the gateway answers 503 at once instead of after the
 *   retry backoff;
 * - the attempt's signal is not aborted once the attempt has returned: an abort builds a
 *   `DOMException` with a stack trace, which on every proxied request costs more than the
 *   proxying itself.
 */
export function createGatewayUpstreamPolicy(name: string, options: UpstreamPolicyOptions = {}): UpstreamPolicy {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs ?? 5_000,
    breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
  });
  const perAttempt = timeout(options.timeoutMs ?? 2_000, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const retries = options.retries ?? 2;
  const withRetry =
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
