import { z } from "zod";
import type { Logger } from "../observability/logger.js";

/**
 * Identity's revocation list, as every token verifier keeps it. A signed access token is valid
 * on its own until `exp`; to end it sooner, each token names what it belongs to (a sign-in's
 * session, claim `sid`, or an API key, claim `key_id`) and identity lists the sessions and keys
 * ended lately at `/.well-known/revocations`. Each verifier (the gateway, every service) polls
 * that list and refuses tokens whose session or key is on it.
 *
 * Why a poll of identity rather than marks in the shared cache: identity's database is where a
 * revocation is committed, so the list cannot miss one, survives a cache outage or eviction,
 * and reaches verifiers in other processes and hosts with no cache or broker in the path. The
 * cost is one small request per verifier per interval, whatever the traffic; a check is a
 * lookup in memory.
 *
 * The window: a revocation is refused everywhere within one interval (2 s by default) plus
 * the request's time. While identity cannot be reached a verifier keeps the list it has and
 * says so in its log; revocations made meanwhile apply once it is reached again, and every
 * token still ends at its `exp`.
 */

export const REVOCATIONS_PATH = "/.well-known/revocations";

/** What identity answers: entries stay until `until`, when every token they could end has expired. */
export const revocationListSchema = z.object({
  /** Identity's clock when it read the list; the next poll asks from a little before it. */
  asOf: z.string().datetime(),
  /** False when the answer was cut at its size limit; the verifier asks again from `asOf`. */
  complete: z.boolean(),
  sessions: z.array(z.object({ id: z.string(), until: z.string().datetime() })),
  keys: z.array(z.object({ id: z.string(), until: z.string().datetime() })),
});
export type RevocationList = z.infer<typeof revocationListSchema>;

/** What a token is bound to, from its claims. */
export interface TokenOwnerIds {
  readonly sessionId?: string;
  readonly apiKeyId?: string;
}

export interface RevocationCheck {
  /** "session" or "key" when the token's session or key was revoked; undefined otherwise. */
  revoked(owner: TokenOwnerIds): "session" | "key" | undefined;
}

/** Reads the list from `since` (identity's whole window when undefined). */
export type RevocationSource = (since: Date | undefined) => Promise<RevocationList>;

export interface RevocationPollerOptions {
  /** Where the list comes from: `httpRevocationSource(url)`, or identity's own database. */
  readonly source: RevocationSource;
  /** @default 2_000 */
  readonly intervalMs?: number;
  /**
   * How far before the last `asOf` each poll asks from, so a revocation whose transaction
   * committed after a poll but is stamped before it is still seen. @default 30_000
   */
  readonly overlapMs?: number;
  /** Entries kept at most; past it the oldest go first. @default 100_000 */
  readonly maxEntries?: number;
  readonly log?: Logger;
}

export interface RevocationPoller extends RevocationCheck {
  /** Fetches what changed since the last poll (every page of it). */
  sync(): Promise<void>;
  /** Stops polling. Idempotent. */
  close(): void;
}

/** The list's URL beside the JWKS: `http://identity:7003/.well-known/jwks.json` → `.../.well-known/revocations`. */
export function revocationsUrlBeside(jwksUrl: string): string {
  return new URL(REVOCATIONS_PATH, jwksUrl).toString();
}

/** Identity's list over HTTP, e.g. `http://identity:7003/.well-known/revocations`. */
export function httpRevocationSource(url: string, timeoutMs = 2_000): RevocationSource {
  return async (since) => {
    const target = new URL(url);
    if (since) target.searchParams.set("since", since.toISOString());
    const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${target.origin}${target.pathname} answered ${res.status}`);
    return revocationListSchema.parse(await res.json());
  };
}

const MAX_PAGES = 20;
const STARTUP_GRACE_MS = 15_000;

export function createRevocationPoller(options: RevocationPollerOptions): RevocationPoller {
  const intervalMs = options.intervalMs ?? 2_000;
  const overlapMs = options.overlapMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const sessions = new Map<string, number>();
  const keys = new Map<string, number>();
  let asOf: number | undefined;
  let failing = false;
  let synced = false;
  const startedAt = Date.now();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const remember = (into: Map<string, number>, entries: RevocationList["sessions"]) => {
    for (const entry of entries) {
      into.delete(entry.id);
      into.set(entry.id, Date.parse(entry.until));
      if (into.size > maxEntries) into.delete(into.keys().next().value!);
    }
  };
  const forgetExpired = (from: Map<string, number>, now: number) => {
    for (const [id, until] of from) if (until <= now) from.delete(id);
  };
  const isListed = (from: Map<string, number>, id: string | undefined) => {
    if (id === undefined) return false;
    const until = from.get(id);
    return until !== undefined && until > Date.now();
  };

  async function sync(): Promise<void> {
    let since = asOf === undefined ? undefined : new Date(asOf - overlapMs);
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const list = await options.source(since);
      remember(sessions, list.sessions);
      remember(keys, list.keys);
      // A cut answer goes on from where it stopped, without the overlap, so it always advances.
      if (list.complete) {
        asOf = Date.parse(list.asOf);
        break;
      }
      since = new Date(list.asOf);
      asOf = since.getTime() + overlapMs;
    }
    const now = Date.now();
    forgetExpired(sessions, now);
    forgetExpired(keys, now);
  }

  async function tick(): Promise<void> {
    try {
      await sync();
      if (failing) options.log?.info("revocation list reachable again");
      failing = false;
      synced = true;
    } catch (error) {
      // At start-up identity may simply not be listening yet (local mode starts every service
      // at once): that is worth a warning only once it lasts.
      if (!failing && (synced || Date.now() - startedAt > STARTUP_GRACE_MS)) {
        options.log?.warn(
          { err: error },
          "[taskflow] [auth] cannot fetch the revocation list; keeping the last one until identity answers",
        );
      }
      failing = synced || Date.now() - startedAt > STARTUP_GRACE_MS;
    }
    if (!closed) {
      timer = setTimeout(tick, intervalMs);
      timer.unref();
    }
  }
  void tick();

  return {
    revoked(owner) {
      if (isListed(sessions, owner.sessionId)) return "session";
      if (isListed(keys, owner.apiKeyId)) return "key";
      return undefined;
    },
    sync,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
