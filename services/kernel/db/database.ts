/**
 * The one database interface every service uses: a PostgreSQL server through `pg`, or the
 * embedded PGlite. Both speak the same SQL, so migrations and repositories are written once.
 */

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** "postgres" or "pglite". */
  readonly kind: DatabaseKind;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws
   * (the error is rethrown). On PGlite, which has one connection, transactions and queries
   * run one at a time.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** True when the database answers; used by `/health/ready`. */
  ping(): Promise<boolean>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

export type DatabaseKind = "postgres" | "pglite";

/** PostgreSQL error codes the services act on. */
export const PG_UNIQUE_VIOLATION = "23505";
export const PG_FOREIGN_KEY_VIOLATION = "23503";

/** The SQLSTATE of a driver error (both drivers set `code`), or undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The violated constraint's name, when the driver reports it. */
export function violatedConstraint(error: unknown): string | undefined {
  const name = (error as { constraint?: unknown } | null)?.constraint;
  return typeof name === "string" ? name : undefined;
}
