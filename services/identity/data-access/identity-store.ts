import type { Queryable } from "../../kernel/db/database.js";
import type { ThrottleState } from "../domain/lockout.js";
import type { Role } from "../domain/tokens.js";

/** Storage of accounts, refresh-token families and API keys. Every function takes the connection or transaction to use. */

export type AccountStatus = "active" | "inactive" | "locked";

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly roles: Role[];
  readonly status: AccountStatus;
  readonly createdAt: Date;
}

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  roles: Role[];
  status: AccountStatus;
  created_at: Date;
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  passwordHash: row.password_hash,
  roles: row.roles,
  status: row.status,
  createdAt: new Date(row.created_at),
});

/** Emails compare without case; the address as typed is kept for display. */
export const emailKey = (email: string) => email.trim().toLowerCase();

export async function insertAccount(
  db: Queryable,
  account: { id: string; email: string; displayName: string; passwordHash: string; roles: Role[] },
): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, email, email_key, display_name, password_hash, roles, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'active')`,
    [
      account.id,
      account.email.trim(),
      emailKey(account.email),
      account.displayName,
      account.passwordHash,
      JSON.stringify(account.roles),
    ],
  );
}

export async function findAccountByEmail(
  db: Queryable,
  email: string,
  forUpdate = false,
): Promise<Account | undefined> {
  const rows = await db.query<AccountRow>(
    `SELECT * FROM accounts WHERE email_key = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [emailKey(email)],
  );
  return rows[0] && toAccount(rows[0]);
}

export async function findAccountById(db: Queryable, id: string): Promise<Account | undefined> {
  const rows = await db.query<AccountRow>("SELECT * FROM accounts WHERE id = $1", [id]);
  return rows[0] && toAccount(rows[0]);
}

export async function listAccounts(
  db: Queryable,
  page: number,
  pageSize: number,
): Promise<{ items: Account[]; total: number }> {
  const rows = await db.query<AccountRow>("SELECT * FROM accounts ORDER BY created_at, id LIMIT $1 OFFSET $2", [
    pageSize,
    (page - 1) * pageSize,
  ]);
  const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts");
  return { items: rows.map(toAccount), total: count?.n ?? 0 };
}

export async function deactivateAccount(db: Queryable, id: string, reason: string): Promise<boolean> {
  const rows = await db.query(
    "UPDATE accounts SET status = 'inactive', deactivated_reason = $2 WHERE id = $1 AND status <> 'inactive' RETURNING id",
    [id, reason],
  );
  return rows.length > 0;
}

export interface RefreshTokenRow {
  digest: string;
  family_id: string;
  account_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertRefreshToken(
  db: Queryable,
  token: { digest: string; familyId: string; accountId: string; expiresAt: Date },
): Promise<void> {
  await db.query("INSERT INTO refresh_tokens (digest, family_id, account_id, expires_at) VALUES ($1, $2, $3, $4)", [
    token.digest,
    token.familyId,
    token.accountId,
    token.expiresAt,
  ]);
}

/**
 * Marks the token used if it is still usable and returns it; otherwise returns what is known
 * about it (used, revoked or unknown) without changing anything. The conditional update is
 * the atomic step: of two concurrent refreshes with one token, only one gets it.
 */
export async function useRefreshToken(
  db: Queryable,
  digest: string,
  now: Date,
): Promise<
  | { outcome: "used"; row: RefreshTokenRow }
  | { outcome: "reused" | "expired" | "revoked"; row: RefreshTokenRow }
  | { outcome: "unknown" }
> {
  const used = await db.query<RefreshTokenRow>(
    `UPDATE refresh_tokens SET used_at = $2
     WHERE digest = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 RETURNING *`,
    [digest, now],
  );
  if (used[0]) return { outcome: "used", row: used[0] };
  const [row] = await db.query<RefreshTokenRow>("SELECT * FROM refresh_tokens WHERE digest = $1", [digest]);
  if (!row) return { outcome: "unknown" };
  if (row.revoked_at !== null) return { outcome: "revoked", row };
  if (row.used_at !== null) return { outcome: "reused", row };
  return { outcome: "expired", row };
}

export async function revokeFamily(db: Queryable, familyId: string, now: Date): Promise<void> {
  await db.query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL", [
    familyId,
    now,
  ]);
}

/** Revokes every session and key of the account; the ids of the keys this revoked. */
export async function revokeAllForAccount(db: Queryable, accountId: string, now: Date): Promise<string[]> {
  await db.query("UPDATE refresh_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL", [
    accountId,
    now,
  ]);
  const keys = await db.query<{ id: string }>(
    "UPDATE api_keys SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL RETURNING id",
    [accountId, now],
  );
  return keys.map((k) => k.id);
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly scopes: string[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  digest: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toApiKey = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  scopes: row.scopes,
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at && new Date(row.last_used_at),
  revokedAt: row.revoked_at && new Date(row.revoked_at),
});

export async function insertApiKey(
  db: Queryable,
  key: { id: string; accountId: string; name: string; digest: string; scopes: readonly string[] },
): Promise<ApiKeyRecord> {
  const [row] = await db.query<ApiKeyRow>(
    "INSERT INTO api_keys (id, account_id, name, digest, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING *",
    [key.id, key.accountId, key.name, key.digest, JSON.stringify(key.scopes)],
  );
  return toApiKey(row!);
}

export async function listApiKeys(db: Queryable, accountId: string): Promise<ApiKeyRecord[]> {
  const rows = await db.query<ApiKeyRow>("SELECT * FROM api_keys WHERE account_id = $1 ORDER BY created_at, id", [
    accountId,
  ]);
  return rows.map(toApiKey);
}

/** The key with its digest, for checking a presented secret. */
export async function findApiKey(db: Queryable, id: string): Promise<(ApiKeyRecord & { digest: string }) | undefined> {
  const [row] = await db.query<ApiKeyRow>("SELECT * FROM api_keys WHERE id = $1", [id]);
  return row && { ...toApiKey(row), digest: row.digest };
}

export async function touchApiKey(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", [id, now]);
}

export async function revokeApiKey(db: Queryable, accountId: string, id: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING id",
    [id, accountId, now],
  );
  return rows.length > 0;
}

export interface RevokedRow {
  readonly kind: "session" | "key";
  readonly id: string;
  readonly revokedAt: Date;
}

/** Sessions (refresh-token families) and API keys revoked at or after `since`, oldest first, at most `limit`. */
export async function listRevokedSince(db: Queryable, since: Date, limit: number): Promise<RevokedRow[]> {
  const rows = await db.query<{ kind: "session" | "key"; id: string; revoked_at: Date }>(
    `SELECT kind, id, revoked_at FROM (
       SELECT 'session' AS kind, family_id::text AS id, max(revoked_at) AS revoked_at
         FROM refresh_tokens WHERE revoked_at >= $1 GROUP BY family_id
       UNION ALL
       SELECT 'key' AS kind, id, revoked_at FROM api_keys WHERE revoked_at >= $1
     ) AS revoked ORDER BY revoked_at, id LIMIT $2`,
    [since, limit],
  );
  return rows.map((row) => ({ kind: row.kind, id: row.id, revokedAt: new Date(row.revoked_at) }));
}

/**
 * The sign-in throttle of one email and client, its row locked for the rest of `tx`, so that
 * concurrent guesses are counted one after the other. Creates the row when there is none.
 */
export async function lockThrottle(tx: Queryable, email: string, client: string): Promise<ThrottleState> {
  const [row] = await tx.query<{ failures: number; last_failure_at: Date | null }>(
    `INSERT INTO login_throttle (email_key, client, failures) VALUES ($1, $2, 0)
     ON CONFLICT (email_key, client) DO UPDATE SET failures = login_throttle.failures
     RETURNING failures, last_failure_at`,
    [emailKey(email), client],
  );
  return { failures: row!.failures, lastFailureAt: row!.last_failure_at && new Date(row!.last_failure_at) };
}

export async function saveThrottle(tx: Queryable, email: string, client: string, state: ThrottleState): Promise<void> {
  await tx.query("UPDATE login_throttle SET failures = $3, last_failure_at = $4 WHERE email_key = $1 AND client = $2", [
    emailKey(email),
    client,
    state.failures,
    state.lastFailureAt,
  ]);
}

export async function clearThrottle(db: Queryable, email: string, client: string): Promise<void> {
  await db.query("DELETE FROM login_throttle WHERE email_key = $1 AND client = $2", [emailKey(email), client]);
}

/** Drops throttles whose last failure is before `before`; they no longer hold anyone back. */
export async function pruneThrottles(db: Queryable, before: Date): Promise<void> {
  await db.query("DELETE FROM login_throttle WHERE last_failure_at < $1", [before]);
}

export async function savePasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query("UPDATE accounts SET password_hash = $2 WHERE id = $1", [id, passwordHash]);
}
