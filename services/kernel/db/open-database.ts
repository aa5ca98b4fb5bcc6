import { TaskflowError } from "../../../adapters/core/errors.js";
import type { Database } from "./database.js";
import { createPgDatabase } from "./pg-database.js";
import { isPostgresUrl } from "./pg-tls.js";
import { createPgliteDatabase } from "./pglite-database.js";

/**
 * Opens the database `DATABASE_URL` names: `postgres://...` (or `postgresql://`) for a server,
 * `pglite:<dir>` for an embedded database stored in a folder, `pglite:memory` for one that
 * lives only as long as the process. `tlsCa` (DATABASE_TLS_CA) is the CA a server's certificate
 * is checked against.
 */
export async function openDatabase(url: string, options: { tlsCa?: string } = {}): Promise<Database> {
  if (isPostgresUrl(url)) return createPgDatabase(url, options);
  if (url.startsWith("pglite:")) {
    const location = url.slice("pglite:".length).replace(/^\/\/(?=\/)/, "");
    try {
      return await createPgliteDatabase(location === "memory" || location === "" ? undefined : location);
    } catch (error) {
      throw new TaskflowError("pglite", `cannot open the embedded database at "${location}"`, { cause: error });
    }
  }
  throw new TaskflowError("database", "DATABASE_URL must start with postgres://, postgresql:// or pglite:");
}
