import { describe, expect, it } from "vitest";
import { readModelSnapshot, rebuildReadModels } from "../data-access/replay.js";
import { knownProject } from "../testing.js";
import { type TasksApi, useTasksApi } from "./test-api.js";

/**
 * Rebuilding the read models from the event log gives what the live projections built.
 */
describe("tasks HTTP API: replay", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);
  const board = (user?: string) => api().board(user);

  it("replay rebuilds read models equal to the live ones (activities included)", async () => {
    // A board's worth of history: tasks created, edited, moved, assigned, commented and cancelled.
    const { board: b, todo, done } = await board();
    const task = (title: string) => call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title });
    const first = (await task("Replayed")).body;
    const second = (await task("Cancelled")).body;
    await call("alice", "PATCH", `/api/v1/tasks/${first.id}`, { priority: "high" }, { "if-match": '"1"' });
    await call("alice", "POST", `/api/v1/tasks/${first.id}/move`, { cardId: done.id }, { "if-match": '"2"' });
    await call("alice", "POST", `/api/v1/tasks/${first.id}/assign`, { assigneeId: "bob" }, { "if-match": '"3"' });
    await call("alice", "POST", `/api/v1/tasks/${first.id}/comments`, { body: "shipped" });
    await call("alice", "POST", `/api/v1/tasks/${second.id}/cancel`, {}, { "if-match": '"1"' });
    await expect
      .poll(() => api().app.ctx.db.query("SELECT 1 FROM outbox WHERE sent_at IS NULL"), { timeout: 5_000 })
      .toEqual([]);
    // Give the consumer a moment to drain what the relay just published.
    await expect
      .poll(
        async () => {
          const [events] = await api().db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'task:%' OR stream_id LIKE 'comment:%'",
          );
          const [acts] = await api().db.query<{ n: number }>("SELECT count(*)::int AS n FROM activities");
          return events!.n - acts!.n;
        },
        { timeout: 5_000 },
      )
      .toBe(0);
    const [activities] = await api().db.query<{ n: number }>("SELECT count(*)::int AS n FROM activities");
    expect(activities!.n).toBeGreaterThanOrEqual(7);
    const live = await readModelSnapshot(api().db);
    const project = await knownProject(api().db, "alice");
    await rebuildReadModels(api().db);
    expect(await readModelSnapshot(api().db)).toEqual(live);
    // Projects come from the users service's events, not this log: a replay keeps them.
    expect((await call("alice", "POST", "/api/v1/boards", { projectId: project, name: "After replay" })).status).toBe(
      201,
    );
  });
});
