import { commandCommitted, withRequestCommand } from "../commands.js";
import type { Database } from "../db/database.js";
import { AppError } from "../errors.js";

/**
 * The `Idempotency-Key` header. The first request with a key claims it atomically (a row
 * inserted under the primary key (scope, key)); its response is then stored and every retry
 * gets that same status, headers and body. The scope is caller + method + path, so two users
 * (or two routes) never share a key. The same key with another body is a 422; a retry while
 * the first request still runs waits briefly for it and is a 409 if it is still running.
 * A request that fails with a 5xx releases the key so that a retry can run.
 *
 * The request's command records its result under the key in its own transaction
 * (`withRequestCommand`), so a claim left in flight by a process that died after that commit
 * is not a lost response: the retry runs the request again, whose command then returns the
 * recorded result without acting twice, and the retry gets the first run's answer. A claim
 * whose command never committed is a prompt 409 until it goes stale, then is taken over.
 */

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized body, replayed byte for byte. */
  readonly body: string;
}

export interface IdempotencyOptions {
  /**
   * How long a retry waits for the first request to finish before answering 409. Short: a
   * claim whose process died stays in flight until it is stale, and the retry's answer must
   * come well before the gateway's timeout (`UPSTREAM_TIMEOUT_MS`). @default 250
   */
  readonly inFlightWaitMs?: number;
  /** A claim older than this is considered abandoned (its process died) and can be taken over. @default 60_000 */
  readonly staleAfterMs?: number;
}

export const DEFAULT_IN_FLIGHT_WAIT_MS = 250;
export const IDEMPOTENCY_HEADER = "idempotency-key";
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export { requestHash } from "../fingerprint.js";

export function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new AppError(400, "validation", "Idempotency-Key must be 1-255 visible ASCII characters", {
      fields: [{ field: "headers.idempotency-key", message: "must be 1-255 visible ASCII characters" }],
    });
  }
}

interface KeyRow {
  request_hash: string;
  state: "in_flight" | "done";
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  stale: boolean;
}

/**
 * Runs `execute` once per (scope, key) and returns its response, or the stored response of
 * the run that got there first.
 */
export async function runIdempotent(
  db: Database,
  claim: { readonly scope: string; readonly key: string; readonly hash: string },
  execute: () => Promise<StoredResponse>,
  options: IdempotencyOptions = {},
): Promise<StoredResponse & { replayed: boolean }> {
  const waitUntil = Date.now() + (options.inFlightWaitMs ?? DEFAULT_IN_FLIGHT_WAIT_MS);
  const staleSeconds = (options.staleAfterMs ?? 60_000) / 1000;
  const commandId = `idempotency:${claim.scope}|${claim.key}`;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const claimed = await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state) VALUES ($1, $2, $3, 'in_flight')
       ON CONFLICT DO NOTHING RETURNING key`,
      [claim.scope, claim.key, claim.hash],
    );
    let mine = claimed.length > 0;
    let recovered = false;
    if (!mine) {
      const [row] = await db.query<KeyRow>(
        `SELECT request_hash, state, status, headers, body,
                created_at < now() - make_interval(secs => $3) AS stale
           FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        [claim.scope, claim.key, staleSeconds],
      );
      if (!row) continue; // released between our insert and select: claim again
      if (row.request_hash !== claim.hash) {
        throw new AppError(
          422,
          "idempotency-key-reused",
          "this Idempotency-Key was used with a different request body",
          {
            fields: [{ field: "headers.idempotency-key", message: "already used with a different body" }],
          },
        );
      }
      if (row.state === "done") {
        return { status: row.status!, headers: row.headers ?? {}, body: row.body ?? "", replayed: true };
      }
      if (await commandCommitted(db, commandId)) {
        mine = recovered = true;
      } else if (row.stale) {
        const taken = await db.query(
          `UPDATE idempotency_keys SET created_at = now() WHERE scope = $1 AND key = $2 AND state = 'in_flight'
             AND created_at < now() - make_interval(secs => $3) RETURNING key`,
          [claim.scope, claim.key, staleSeconds],
        );
        mine = taken.length > 0;
      }
      if (!mine) {
        if (Date.now() >= waitUntil) {
          throw new AppError(
            409,
            "in-flight",
            "a request with this Idempotency-Key is still being processed; retry shortly",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
    }
    let response: StoredResponse;
    try {
      response = await withRequestCommand(commandId, execute);
    } catch (error) {
      await release(db, claim);
      throw error;
    }
    if (response.status >= 500) {
      await release(db, claim);
    } else {
      await db.query(
        `UPDATE idempotency_keys SET state = 'done', status = $3, headers = $4, body = $5 WHERE scope = $1 AND key = $2`,
        [claim.scope, claim.key, response.status, JSON.stringify(response.headers), response.body],
      );
    }
    return { ...response, replayed: recovered };
  }
}

async function release(db: Database, claim: { scope: string; key: string }): Promise<void> {
  await db.query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_flight'", [
    claim.scope,
    claim.key,
  ]);
}
