import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serverGate } from "../../../adapters/testing/servers.js";
import type { Database } from "./database.js";
import { KERNEL_MIGRATIONS, loadMigrations, type MigrationSource, migrate } from "./migrate.js";
import { createPgDatabase } from "./pg-database.js";
import { wrapPglite } from "./pglite-database.js";

/**
 * Per-test databases. PostgreSQL: a uniquely named database per call, dropped on close.
 * PGlite: an in-memory instance loaded from a migrated template dump (a fresh instance takes
 * seconds, loading a dump well under one). The dump is kept under `.taskflow/` keyed by the
 * migrations' content, so test processes after the first reuse it.
 */

export const TEST_POSTGRES = { host: "127.0.0.1", port: 5432 } as const;
const ADMIN_URL = `postgres://postgres@${TEST_POSTGRES.host}:${TEST_POSTGRES.port}/postgres`;

export type TestDatabaseKind = "pglite" | "postgres";

const templates = new Map<string, Promise<Blob>>();

const TEMPLATE_DIR = ".taskflow/pglite-templates";

async function templateKey(sources: readonly MigrationSource[]): Promise<string> {
  const hash = createHash("sha256");
  for (const source of [KERNEL_MIGRATIONS, ...sources]) {
    for (const migration of await loadMigrations(source)) {
      hash.update(`${migration.scope}/${migration.version}/${migration.name}\n${migration.sql}\n`);
    }
  }
  return hash.digest("hex").slice(0, 24);
}

async function buildTemplate(sources: readonly MigrationSource[], file: string): Promise<Blob> {
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const raw = await PGlite.create();
    await migrate(wrapPglite(raw), sources);
    const dump = await raw.dumpDataDir("none");
    await raw.close();
    await mkdir(TEMPLATE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}

async function pgliteTemplate(sources: readonly MigrationSource[]): Promise<Blob> {
  const key = await templateKey(sources);
  let template = templates.get(key);
  if (!template) {
    template = buildTemplate(sources, `${TEMPLATE_DIR}/${key}.tar`);
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
