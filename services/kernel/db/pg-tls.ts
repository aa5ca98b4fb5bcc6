import type { ConnectionOptions } from "node:tls";
import { TaskflowError } from "../../../adapters/core/errors.js";

/**
 * TLS towards a PostgreSQL server whose certificate is signed by a CA of its own (RDS's
 * regional CAs, Cloud SQL's per-instance CA), passed as PEM in DATABASE_TLS_CA.
 *
 * The sslmodes keep libpq's meaning: `verify-ca` checks the chain only (Cloud SQL's certificate
 * names the instance, not the private IP services connect to), `verify-full` the host name too.
 */

/** The sslmodes that check the server's certificate, and so need to know which CA to trust. */
export const VERIFYING_SSL_MODES: readonly string[] = ["verify-ca", "verify-full"];

export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

/** The `sslmode` a postgres:// URL asks for; undefined when it names none or is not a URL. */
export function postgresSslMode(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  return new URL(url).searchParams.get("sslmode") ?? undefined;
}

export interface PgConnectionOptions {
  readonly connectionString: string;
  readonly ssl?: ConnectionOptions;
}

/**
 * What `new pg.Pool` needs to trust `ca` for `url`. Without a CA the URL goes through as it
 * is (its sslmode behaves as it always did). With one, `sslmode` leaves the URL: pg turns it
 * into an `ssl` object of its own that replaces the one passed beside the connection string,
 * and would then trust only Node's default roots.
 */
export function pgConnectionOptions(url: string, ca?: string): PgConnectionOptions {
  if (ca === undefined) return { connectionString: url };
  const mode = postgresSslMode(url);
  if (mode === undefined || !VERIFYING_SSL_MODES.includes(mode)) {
    throw new TaskflowError(
      "postgres",
      `a TLS CA was given but DATABASE_URL has sslmode=${mode ?? "(none)"}; use sslmode=verify-ca or verify-full`,
    );
  }
  const parsed = new URL(url);
  parsed.searchParams.delete("sslmode");
  const ssl: ConnectionOptions = {
    ca,
    rejectUnauthorized: true,
    // verify-ca: the chain proves the server is ours; its name is not what we dial.
    ...(mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  };
  return { connectionString: parsed.toString(), ssl };
}
