import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type TasksApi, useTasksApi } from "./test-api.js";

/**
 * What makes a retried or racing write safe: the Idempotency-Key header, If-Match (optimistic
 * locking) and natural keys (unique names).
 */
describe("tasks HTTP API: retries and races", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);
  const board = (user?: string) => api().board(user);

  it("concurrent duplicate POSTs with one Idempotency-Key create one task and answer identically", async () => {
    const { board: b, todo } = await board();
    const key = randomUUID();
    const body = { cardId: todo.id, title: "Exactly once" };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, body, { "idempotency-key": key }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect(new Set(responses.map((r) => r.headers.get("location"))).size).toBe(1);
    expect((await call("alice", "GET", `/api/v1/tasks?boardId=${b.id}`)).body).toMatchObject({ total: 1 });
    const other = await call(
      "alice",
      "POST",
      `/api/v1/boards/${b.id}/tasks`,
      { ...body, title: "Other body" },
      { "idempotency-key": key },
    );
    expect(other.status).toBe(422);
  });

  it("a stale If-Match is a 412 and loses nothing; a missing one is a 428", async () => {
    const { board: b, todo } = await board();
    const t = (await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Contended" }))
      .body;
    expect((await call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "low" })).status).toBe(428);
    const [first, second] = await Promise.all([
      call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "low" }, { "if-match": '"1"' }),
      call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "high" }, { "if-match": '"1"' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
    const winner = first.status === 200 ? "low" : "high";
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ priority: winner, version: 2 });
  });

  it("names are natural keys: a duplicate task title or card name is a 409", async () => {
    const { board: b, todo } = await board();
    await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Only one" });
    const dup = await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "ONLY ONE" });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: "body.title" })]);
    expect((await call("alice", "POST", `/api/v1/boards/${b.id}/cards`, { name: "to do", type: "todo" })).status).toBe(
      409,
    );
  });
});
