import type { Database, Queryable } from "../../kernel/db/database.js";
import { readAll, toEventMessage } from "../../kernel/event-log.js";
import { project, projectActivity } from "./projections.js";

/** Streams of the tasks service; any other stream in the log is not ours to project. */
const STREAM_PREFIXES = ["board:", "card:", "task:", "comment:"];

/**
 * Rebuilds every read model of the tasks service from the event log, in one transaction:
 * empty the tables, then apply each event in log order, exactly as the live path does.
 * Returns the number of events applied. The `project_owners` table is left as it is: it is fed by
 * the users service's events (tasks-user-events), which are not in this log, so emptying it
 * would refuse boards in every project until the users service announced them again.
 */
export async function rebuildReadModels(db: Database, batchSize = 500): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.exec(
      "DELETE FROM activities; DELETE FROM comments; DELETE FROM tasks; DELETE FROM cards; DELETE FROM boards;",
    );
    let applied = 0;
    let after = 0;
    for (;;) {
      const events = await readAll(tx, after, batchSize);
      if (events.length === 0) return applied;
      for (const event of events) {
        after = event.position;
        if (!STREAM_PREFIXES.some((prefix) => event.streamId.startsWith(prefix))) continue;
        await project(tx, event);
        await projectActivity(tx, toEventMessage(event));
        applied += 1;
      }
    }
  });
}

/** Every read-model row, in a stable order: what a replay must reproduce. */
export async function readModelSnapshot(db: Queryable): Promise<Record<string, unknown[]>> {
  const tables = { boards: "id", cards: "id", tasks: "id", comments: "id", activities: "event_id" };
  const snapshot: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    snapshot[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${key}`);
  }
  return snapshot;
}
