import { randomUUID } from "node:crypto";
import type { Database, Queryable } from "../../kernel/db/database.js";
import { PG_UNIQUE_VIOLATION, sqlState } from "../../kernel/db/database.js";
import { ConflictError, TooManyRequestsError, UnauthorizedError } from "../../kernel/errors.js";
import { appendToStream } from "../../kernel/event-log.js";
import {
  type Account,
  clearThrottle,
  deactivateAccount,
  findAccountByEmail,
  findAccountById,
  insertAccount,
  insertRefreshToken,
  lockThrottle,
  revokeAllForAccount,
  revokeFamily,
  savePasswordHash,
  saveThrottle,
  useRefreshToken,
} from "../data-access/identity-store.js";
import { API_KEY_REVOKED, apiKeyRevokedData } from "./api-key.js";
import { afterFailure, waitMs } from "./lockout.js";
import {
  DEFAULT_SCRYPT_COST,
  decoyHash,
  hashPassword,
  needsRehash,
  type ScryptCost,
  verifyPassword,
} from "./password.js";
import type { SigningKey } from "./signing-key.js";
import {
  DEFAULT_REFRESH_TTL_SECONDS,
  digestSecret,
  type Role,
  randomSecret,
  signAccessToken,
  type TokenSettings,
} from "./tokens.js";

/**
 * Registration, login, refresh and logout. Every state change that others care about is an
 * event on the account's stream, published through the outbox to `identity-events`; events
 * carry ids, email and display name, never a password or a hash.
 */

export const IDENTITY_TOPIC = "identity-events";

export interface IdentityContext {
  readonly db: Database;
  readonly key: SigningKey;
  readonly tokens: TokenSettings;
  /** Emails that are given the admin role when they register. */
  readonly adminEmails?: readonly string[];
  readonly scrypt?: ScryptCost;
  readonly now?: () => Date;
  /** Called after a commit that wrote events, so the outbox relay publishes them at once. */
  readonly notifyRelay?: () => void;
}

export interface TokenPair {
  readonly tokenType: "Bearer";
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly refreshToken: string;
}

export interface PublicAccount {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: Role[];
  readonly status: Account["status"];
  readonly createdAt: string;
}

export function publicAccount(account: Account): PublicAccount {
  // "locked" is from the per-account lockout that sign-in throttling replaced: such an account is active.
  const status = account.status === "locked" ? "active" : account.status;
  return {
    id: account.id,
    email: account.email,
    displayName: account.displayName,
    roles: account.roles,
    status,
    createdAt: account.createdAt.toISOString(),
  };
}

const clock = (ctx: IdentityContext) => (ctx.now ? ctx.now() : new Date());
const streamOf = (accountId: string) => `account:${accountId}`;

/** The account's next event version: the stream's current length. */
async function versionOf(tx: Queryable, accountId: string): Promise<number> {
  const [row] = await tx.query<{ v: number }>(
    "SELECT coalesce(max(version), 0)::int AS v FROM events WHERE stream_id = $1",
    [streamOf(accountId)],
  );
  return row?.v ?? 0;
}

/** Appends one event to the account's stream, and to the outbox for `identity-events`, in `tx`. */
export async function recordAccountEvent(
  tx: Queryable,
  accountId: string,
  actor: string,
  type: string,
  data: object,
): Promise<void> {
  await appendToStream(tx, {
    streamId: streamOf(accountId),
    expectedVersion: await versionOf(tx, accountId),
    events: [{ type, data }],
    actor,
    topic: IDENTITY_TOPIC,
  });
}

export async function register(
  ctx: IdentityContext,
  input: { email: string; password: string; displayName: string },
): Promise<PublicAccount> {
  const id = randomUUID();
  const passwordHash = await hashPassword(input.password, ctx.scrypt ?? DEFAULT_SCRYPT_COST);
  const admin = (ctx.adminEmails ?? []).some((e) => e.trim().toLowerCase() === input.email.trim().toLowerCase());
  const roles: Role[] = admin ? ["user", "admin"] : ["user"];
  try {
    await ctx.db.transaction(async (tx) => {
      await insertAccount(tx, { id, email: input.email, displayName: input.displayName, passwordHash, roles });
      await recordAccountEvent(tx, id, id, "user-registered", {
        userId: id,
        email: input.email.trim(),
        displayName: input.displayName,
        roles,
      });
    });
    ctx.notifyRelay?.();
  } catch (error) {
    if (sqlState(error) === PG_UNIQUE_VIOLATION) {
      throw new ConflictError("an account with this email already exists", {
        fields: [{ field: "body.email", message: "already registered" }],
      });
    }
    throw error;
  }
  const account = await findAccountById(ctx.db, id);
  return publicAccount(account!);
}

/** One message for every refusal, so a caller cannot tell which emails exist. */
const INVALID_LOGIN = "invalid email or password";

/**
 * Signs in. Every attempt is first counted as a failure of its email and client, under that
 * row's lock, and the count is cleared only when the password is right: concurrent guesses
 * cannot slip past the throttle, and an email without an account is throttled, timed and
 * answered exactly as one with an account. That an account is deactivated is said only to a
 * caller who gave its password.
 */
export async function login(
  ctx: IdentityContext,
  input: { email: string; password: string; client: string },
): Promise<TokenPair> {
  const now = clock(ctx);
  const wait = await ctx.db.transaction(async (tx) => {
    const state = await lockThrottle(tx, input.email, input.client);
    const ms = waitMs(state, now);
    if (ms === 0) await saveThrottle(tx, input.email, input.client, afterFailure(state, now));
    return ms;
  });
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new TooManyRequestsError(
      `too many failed sign-ins for this account from this client; try again in ${seconds} s`,
      seconds,
    );
  }
  const account = await findAccountByEmail(ctx.db, input.email);
  const hash = account?.passwordHash ?? (await decoyHash(ctx.scrypt ?? DEFAULT_SCRYPT_COST));
  const ok = await verifyPassword(input.password, hash);
  if (!account || !ok) throw new UnauthorizedError(INVALID_LOGIN);
  await clearThrottle(ctx.db, input.email, input.client);
  if (account.status === "inactive") throw new UnauthorizedError("this account is deactivated");
  const cost = ctx.scrypt ?? DEFAULT_SCRYPT_COST;
  if (needsRehash(account.passwordHash, cost)) {
    await savePasswordHash(ctx.db, account.id, await hashPassword(input.password, cost));
  }
  return issueTokens(ctx, account, randomUUID(), ctx.db);
}

async function issueTokens(
  ctx: IdentityContext,
  account: Account,
  familyId: string,
  tx: Queryable,
): Promise<TokenPair> {
  const refreshToken = randomSecret();
  const ttl = ctx.tokens.refreshTtlSeconds ?? DEFAULT_REFRESH_TTL_SECONDS;
  await insertRefreshToken(tx, {
    digest: digestSecret(refreshToken),
    familyId,
    accountId: account.id,
    expiresAt: new Date(clock(ctx).getTime() + ttl * 1000),
  });
  const accessToken = await signAccessToken(ctx.key, ctx.tokens, {
    sub: account.id,
    email: account.email,
    roles: account.roles,
    sessionId: familyId,
  });
  return { tokenType: "Bearer", accessToken, expiresIn: ctx.tokens.accessTtlSeconds ?? 900, refreshToken };
}

/**
 * Exchanges a refresh token for a new pair. The used token stays on record; presenting it
 * again means it was stolen (or the client is broken), so the whole family is revoked and
 * the legitimate holder must log in again.
 */
export async function refresh(ctx: IdentityContext, refreshToken: string): Promise<TokenPair> {
  const now = clock(ctx);
  const result = await ctx.db.transaction(async (tx) => {
    const used = await useRefreshToken(tx, digestSecret(refreshToken), now);
    if (used.outcome === "reused") await revokeFamily(tx, used.row.family_id, now);
    if (used.outcome !== "used") return { outcome: used.outcome } as const;
    const account = await findAccountById(tx, used.row.account_id);
    if (!account || account.status === "inactive") return { outcome: "inactive" } as const;
    return { outcome: "ok", pair: await issueTokens(ctx, account, used.row.family_id, tx) } as const;
  });
  if (result.outcome === "ok") return result.pair;
  const why: Record<typeof result.outcome, string> = {
    reused: "refresh token already used; every session of this login is now revoked",
    revoked: "refresh token revoked",
    expired: "refresh token expired",
    unknown: "refresh token not recognised",
    inactive: "this account is deactivated",
  };
  throw new UnauthorizedError(why[result.outcome]);
}

/** Ends the session the refresh token belongs to. Unknown tokens are ignored: logout always succeeds. */
export async function logout(ctx: IdentityContext, refreshToken: string): Promise<void> {
  const now = clock(ctx);
  const rows = await ctx.db.query<{ family_id: string }>("SELECT family_id FROM refresh_tokens WHERE digest = $1", [
    digestSecret(refreshToken),
  ]);
  if (rows[0]) await revokeFamily(ctx.db, rows[0].family_id, now);
}

/**
 * Compensation for a registration the users service could not complete: the account is
 * deactivated and every session and key it has is revoked; each key's revocation is published
 * too, so the gateway forgets the token it cached for it.
 */
export async function deactivateForFailedRegistration(
  ctx: IdentityContext,
  tx: Queryable,
  userId: string,
  reason: string,
): Promise<void> {
  if (!(await deactivateAccount(tx, userId, reason))) return;
  const revokedKeys = await revokeAllForAccount(tx, userId, clock(ctx));
  for (const keyId of revokedKeys) {
    await recordAccountEvent(tx, userId, "system:identity", API_KEY_REVOKED, apiKeyRevokedData(keyId, userId));
  }
  await recordAccountEvent(tx, userId, "system:identity", "account-deactivated", { userId, reason });
}
