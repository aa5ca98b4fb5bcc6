import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serverGate } from "../../../adapters/testing/servers.js";
import type { Database } from "./database.js";
import { type MigrationSource, migrate } from "./migrate.js";
import { createPgDatabase } from "./pg-database.js";
import { wrapPglite } from "./pglite-database.js";

/**
 * Per-test databases. PostgreSQL: a uniquely named database per call, dropped on close.
 * PGlite: an in-memory instance loaded from a migrated template dump (a fresh instance takes
 * ~2 s, loading the dump ~0.5 s), made once per test process and migration set.
 */

export const TEST_POSTGRES = { host: "127.0.0.1", port: 5432 } as const;
const ADMIN_URL = `postgres://postgres@${TEST_POSTGRES.host}:${TEST_POSTGRES.port}/postgres`;

export type TestDatabaseKind = "pglite" | "postgres";

const templates = new Map<string, Promise<Blob>>();

async function pgliteTemplate(sources: readonly MigrationSource[]): Promise<Blob> {
  const key = sources.map((s) => `${s.scope}=${s.dir.href}`).join("|");
  let template = templates.get(key);
  if (!template) {
    template = (async () => {
      const raw = await PGlite.create();
      await migrate(wrapPglite(raw), sources);
      const dump = await raw.dumpDataDir("none");
      await raw.close();
      return dump;
    })();
    templates.set(key, template);
  }
  return template;
}

/** A migrated, empty database of `kind`; `close()` releases (and on PostgreSQL drops) it. */
export async function openTestDatabase(kind: TestDatabaseKind, sources: readonly MigrationSource[]): Promise<Database> {
  if (kind === "pglite") {
    const raw = await PGlite.create({ loadDataDir: await pgliteTemplate(sources) });
    return wrapPglite(raw);
  }
  const name = `taskflow_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const db = createPgDatabase(`postgres://postgres@${TEST_POSTGRES.host}:${TEST_POSTGRES.port}/${name}`, { max: 5 });
  await migrate(db, sources);
  return {
    ...db,
    kind: db.kind,
    async close() {
      await db.close();
      const dropper = new pg.Client({ connectionString: ADMIN_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** Skip reason for the PostgreSQL variant (undefined when the server answers; throws under CI). */
export function postgresGate(): Promise<string | undefined> {
  return serverGate(
    "PostgreSQL",
    TEST_POSTGRES,
    "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  );
}
