import type { SetOptions } from "./cache.js";
import { InvalidTtlError, TaskflowError } from "./errors.js";

/**
 * Rules every cache adapter applies the same way: what a valid TTL and namespace are, and
 * how `getOrSet` shares one loader run per key.
 */

/** Throws `InvalidTtlError` unless the TTL is absent or a positive finite number of ms. */
export function checkTtl(component: string, options: SetOptions | undefined): number | undefined {
  const ttlMs = options?.ttlMs;
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new InvalidTtlError(component, ttlMs);
  // Servers count whole milliseconds; a fraction rounds up so it never means "already gone".
  return Math.ceil(ttlMs);
}

/**
 * Namespaces become key prefixes (`<namespace>:<key>`) and SCAN patterns, so they are kept to
 * characters that are neither separators nor glob syntax: one namespace's `clear()` can then
 * never match another's keys.
 */
const NAMESPACE = /^[A-Za-z0-9._-]{1,128}$/;

export function checkNamespace(component: string, namespace: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new TaskflowError(
      component,
      `namespace "${namespace}" is invalid; use 1-128 letters, digits, ".", "_" or "-" (no ":" or glob characters)`,
    );
  }
  return namespace;
}

/**
 * One loader run per key at a time in this process. Callers that arrive while a run is in
 * flight share its promise, result or error; the entry is dropped when the run settles, so a
 * failure is never remembered.
 */
export class SingleFlight {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running) return running as Promise<T>;
    const started = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
