import pg from "pg";
import { TaskflowError } from "../../../adapters/core/errors.js";
import type { Database, Queryable } from "./database.js";
import { pgConnectionOptions } from "./pg-tls.js";

// Keep bigint counts and timestamps as the services expect: counts as numbers, timestamps as Date.
pg.types.setTypeParser(20, (value) => Number(value));

export interface PgDatabaseOptions {
  /** Pool size. @default 10 */
  readonly max?: number;
  /** PEM of the CA that signs the server's certificate; needs sslmode=verify-ca or verify-full. */
  readonly tlsCa?: string;
}

/** A PostgreSQL server through a `pg` pool. */
export function createPgDatabase(connectionString: string, options: PgDatabaseOptions = {}): Database {
  const pool = new pg.Pool({ ...pgConnectionOptions(connectionString, options.tlsCa), max: options.max ?? 10 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  let closed = false;

  const run = async <R extends object>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    const result = await client.query(sql, params as unknown[] | undefined);
    return result.rows as R[];
  };

  return {
    kind: "postgres",
    query: (sql, params) => run(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new TaskflowError("postgres", "cannot open a connection for a transaction", { cause: error });
      }
      const tx: Queryable = {
        query: (sql, params) => run(client, sql, params),
        async exec(sql) {
          await client.query(sql);
        },
      };
      try {
        await client.query("BEGIN");
        const result = await work(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      try {
        await pool.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
