import { describe, expect, it } from "vitest";
import { type TasksApi, useTasksApi } from "./test-api.js";

/**
 * Reads go through the cache and fall back to the database, within a bounded time, when it is down.
 */
describe("tasks HTTP API: cached reads", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);
  const board = (user?: string) => api().board(user);

  it("reads still succeed from the database while the cache is down, and see fresh data after a change", async () => {
    const { board: b, todo } = await board();
    const t = (await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Cached" })).body;
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).status).toBe(200);
    await call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { title: "Cached and changed" }, { "if-match": '"1"' });
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ title: "Cached and changed" });
    // A task inserted in front shifts this one: its cached copy must not keep the old position.
    await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "In front", position: 0 });
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ position: 1 });
    api().faults.unavailable = true;
    try {
      const started = Date.now();
      const res = await call("alice", "GET", `/api/v1/tasks/${t.id}`);
      expect(res.body).toMatchObject({ title: "Cached and changed" });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      api().faults.unavailable = false;
    }
  });
});
