import { migrate } from "../kernel/db/migrate.js";
import { openDatabase } from "../kernel/db/open-database.js";
import { rebuildReadModels } from "./data-access/replay.js";
import { TASKS_MIGRATIONS } from "./service.js";

/**
 * `npm run replay`: rebuilds the tasks service's read models (boards, cards, tasks, comments,
 * activities) from its event log. Reads `DATABASE_URL` (default: the local-mode database) and
 * `DATABASE_TLS_CA` (the server's CA, for sslmode=verify-ca or verify-full).
 */
const url = process.env.DATABASE_URL ?? "pglite:.taskflow/tasks";
const db = await openDatabase(url, { tlsCa: process.env.DATABASE_TLS_CA });
try {
  await migrate(db, [TASKS_MIGRATIONS]);
  const started = Date.now();
  const applied = await rebuildReadModels(db);
  console.log(`[taskflow] [replay] rebuilt the tasks read models from ${applied} events in ${Date.now() - started} ms`);
} catch (error) {
  console.error(`[taskflow] [replay] failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
