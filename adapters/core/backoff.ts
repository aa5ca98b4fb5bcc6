import type { BackoffOptions } from "./message-broker.js";

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 200, maxMs: 30_000, multiplier: 2 };

/**
 * Delay before redelivering a message that failed `attempt` times, with full jitter in the
 * upper half so that a burst of failures does not come back as a burst.
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialMs, maxMs, multiplier } = { ...DEFAULT_BACKOFF, ...options };
  const exponential = Math.min(maxMs, initialMs * multiplier ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
