import { PGlite } from "@electric-sql/pglite";
import type { Database, Queryable } from "./database.js";

/**
 * The embedded PostgreSQL. It has a single connection, so every query and transaction goes
 * through one queue: a query from outside must never land inside someone else's transaction.
 */
export function wrapPglite(db: PGlite): Database {
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work, work);
    tail = next.catch(() => {});
    return next;
  };
  const run = async <R extends object>(sql: string, params?: readonly unknown[]) => {
    const result = await db.query<R>(sql, params as unknown[] | undefined);
    return result.rows;
  };

  return {
    kind: "pglite",
    query: (sql, params) => exclusive(() => run(sql, params)),
    exec: (sql) => exclusive(async () => void (await db.exec(sql))),
    transaction: (work) =>
      exclusive(async () => {
        const tx: Queryable = {
          query: (sql, params) => run(sql, params),
          exec: async (sql) => void (await db.exec(sql)),
        };
        await db.exec("BEGIN");
        try {
          const result = await work(tx);
          await db.exec("COMMIT");
          return result;
        } catch (error) {
          await db.exec("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    async ping() {
      try {
        await exclusive(() => run("SELECT 1"));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await exclusive(() => db.close());
    },
  };
}

/** Opens PGlite in memory (`dataDir` undefined) or backed by a directory. */
export async function createPgliteDatabase(
  dataDir?: string,
  options: { loadDataDir?: Blob | File } = {},
): Promise<Database> {
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...options });
  return wrapPglite(db);
}
