import type { RevocationList } from "../../kernel/auth/revocations.js";
import { listRevokedSince } from "../data-access/identity-store.js";
import type { IdentityContext } from "./accounts.js";
import { API_KEY_TOKEN_TTL_SECONDS } from "./api-key.js";
import { DEFAULT_ACCESS_TTL_SECONDS } from "./tokens.js";

/**
 * The sessions and API keys revoked lately, as every token verifier polls them
 * (`kernel/auth/revocations.ts`). An entry is listed until every token it could end has
 * expired: its revocation plus the longest lifetime of such a token plus a minute of skew.
 * Older revocations need no listing, because their tokens are refused by `exp` already.
 */

const SKEW_MS = 60_000;
/** Rows per answer; a verifier asks again for the rest. */
export const REVOCATIONS_PAGE = 5_000;

export async function revocationsSince(ctx: IdentityContext, since: Date | undefined): Promise<RevocationList> {
  const now = ctx.now?.() ?? new Date();
  const sessionMs = (ctx.tokens.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS) * 1000 + SKEW_MS;
  const keyMs = API_KEY_TOKEN_TTL_SECONDS * 1000 + SKEW_MS;
  const earliest = new Date(now.getTime() - Math.max(sessionMs, keyMs));
  const from = since && since > earliest ? since : earliest;
  const rows = await listRevokedSince(ctx.db, from, REVOCATIONS_PAGE);
  const complete = rows.length < REVOCATIONS_PAGE;
  const until = (revokedAt: Date, ms: number) => new Date(revokedAt.getTime() + ms).toISOString();
  return {
    asOf: complete ? now.toISOString() : rows.at(-1)!.revokedAt.toISOString(),
    complete,
    sessions: rows.filter((r) => r.kind === "session").map((r) => ({ id: r.id, until: until(r.revokedAt, sessionMs) })),
    keys: rows.filter((r) => r.kind === "key").map((r) => ({ id: r.id, until: until(r.revokedAt, keyMs) })),
  };
}
