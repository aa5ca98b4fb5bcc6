import { z } from "zod";
import { type Env, readConfig } from "../core/config.js";

/** What the in-memory broker can be tuned with; every field has a default. */
export interface MemoryBrokerOptions {
  /**
   * Create topics and subscriptions on first use. Off, publishing to an unknown topic throws
   * `TopicNotFoundError`, as a cloud topic that was never provisioned would.
   * @default true
   */
  readonly autoCreate?: boolean;
  /**
   * Share of acknowledged deliveries that come back once more, as if the ack was lost, so
   * consumers are proven idempotent. 0..1.
   * @default 0
   */
  readonly duplicateRate?: number;
  /** How long a published message id is remembered to drop a second publish of it. @default 60_000 */
  readonly dedupeWindowMs?: number;
  /** How long `close()` waits for running handlers before giving their messages back. @default 10_000 */
  readonly closeTimeoutMs?: number;
  /** Source of randomness for duplicate injection and backoff jitter; injectable for tests. @default Math.random */
  readonly random?: () => number;
}

export const MEMORY_BROKER_DEFAULTS = {
  autoCreate: true,
  duplicateRate: 0,
  dedupeWindowMs: 60_000,
  closeTimeoutMs: 10_000,
} as const;

const memoryBrokerEnvSchema = z.object({
  MEMORY_BROKER_AUTO_CREATE: z.stringbool().default(MEMORY_BROKER_DEFAULTS.autoCreate),
  MEMORY_BROKER_DUPLICATE_RATE: z.coerce.number().min(0).max(1).default(MEMORY_BROKER_DEFAULTS.duplicateRate),
  MEMORY_BROKER_DEDUPE_WINDOW_MS: z.coerce.number().int().positive().default(MEMORY_BROKER_DEFAULTS.dedupeWindowMs),
  MEMORY_BROKER_CLOSE_TIMEOUT_MS: z.coerce.number().int().positive().default(MEMORY_BROKER_DEFAULTS.closeTimeoutMs),
});

const MEMORY_BROKER_HINTS: Record<string, string> = {
  MEMORY_BROKER_AUTO_CREATE: "set it to true or false",
  MEMORY_BROKER_DUPLICATE_RATE: "set it to a number from 0 (never) to 1 (every acked message once more)",
  MEMORY_BROKER_DEDUPE_WINDOW_MS: "set it to a whole number of milliseconds, e.g. 60000",
  MEMORY_BROKER_CLOSE_TIMEOUT_MS: "set it to a whole number of milliseconds, e.g. 10000",
};

/** Reads the `MEMORY_BROKER_*` settings, reporting every bad value at once. */
export function readMemoryBrokerConfig(env: Env): Required<Omit<MemoryBrokerOptions, "random">> {
  const parsed = readConfig(memoryBrokerEnvSchema, env, MEMORY_BROKER_HINTS);
  return {
    autoCreate: parsed.MEMORY_BROKER_AUTO_CREATE,
    duplicateRate: parsed.MEMORY_BROKER_DUPLICATE_RATE,
    dedupeWindowMs: parsed.MEMORY_BROKER_DEDUPE_WINDOW_MS,
    closeTimeoutMs: parsed.MEMORY_BROKER_CLOSE_TIMEOUT_MS,
  };
}
