import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { TaskflowError } from "../../../adapters/core/errors.js";
import type { Database } from "./database.js";

/**
 * Numbered SQL migrations (`001_name.sql`, `002_name.sql`, ...) applied in order at start-up,
 * each in its own transaction, the same SQL on PostgreSQL and PGlite. `scope` keeps each
 * folder's numbering separate ("kernel", "tasks", ...). An advisory lock lets several
 * instances start at once: one applies, the others find the work done.
 */
export interface MigrationSource {
  readonly scope: string;
  /** Folder of `.sql` files, e.g. `new URL("./migrations/", import.meta.url)`. */
  readonly dir: URL;
}

export interface Migration {
  readonly scope: string;
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The kernel's own tables: event log, outbox, inbox, commands, idempotency keys. */
export const KERNEL_MIGRATIONS: MigrationSource = { scope: "kernel", dir: new URL("./migrations/", import.meta.url) };

const FILE_NAME = /^(\d+)_([\w-]+)\.sql$/;

export async function loadMigrations(source: MigrationSource): Promise<Migration[]> {
  const dir = fileURLToPath(source.dir);
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new TaskflowError("migrate", `migration "${file}" in ${dir} must be named NNN_name.sql`);
    migrations.push({
      scope: source.scope,
      version: Number(match[1]),
      name: match[2]!,
      sql: await readFile(`${dir}/${file}`, "utf8"),
    });
  }
  return migrations;
}

/** Applies every migration not yet applied; returns the ones it applied. */
export async function migrate(db: Database, sources: readonly MigrationSource[]): Promise<Migration[]> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       scope TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (scope, version))`,
  );
  const applied: Migration[] = [];
  for (const source of [KERNEL_MIGRATIONS, ...sources.filter((s) => s.scope !== KERNEL_MIGRATIONS.scope)]) {
    for (const migration of await loadMigrations(source)) {
      const done = await db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(7301)");
        const rows = await tx.query("SELECT 1 FROM schema_migrations WHERE scope = $1 AND version = $2", [
          migration.scope,
          migration.version,
        ]);
        if (rows.length > 0) return false;
        try {
          await tx.exec(migration.sql);
        } catch (error) {
          throw new TaskflowError(
            "migrate",
            `migration ${migration.scope}/${migration.version}_${migration.name} failed`,
            { cause: error },
          );
        }
        await tx.query("INSERT INTO schema_migrations (scope, version, name) VALUES ($1, $2, $3)", [
          migration.scope,
          migration.version,
          migration.name,
        ]);
        return true;
      });
      if (done) applied.push(migration);
    }
  }
  return applied;
}
