import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type TasksApi, useTasksApi } from "./test-api.js";

/**
 * Bad input is refused with a problem naming each field, and nothing reaches the event log.
 */
describe("tasks HTTP API: bad input", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);
  const board = (user?: string) => api().board(user);
  const eventCount = () => api().eventCount();

  it("bad input is a 400 naming each field, and nothing is written", async () => {
    const { board: b, todo } = await board();
    const before = await eventCount();
    const cases: [string, string, unknown, string[]][] = [
      ["POST", "/api/v1/boards", { projectId: "nope", name: "ab" }, ["body.projectId", "body.name"]],
      ["POST", `/api/v1/boards/${b.id}/cards`, { name: "Column", type: "later" }, ["body.type"]],
      [
        "POST",
        `/api/v1/boards/${b.id}/tasks`,
        {
          cardId: todo.id,
          title: "x",
          priority: "urgent",
          tags: ["a", "a"],
          description: "d".repeat(2049),
          color: "red",
        },
        ["body.title", "body.priority", "body.tags", "body.description", "body.color"],
      ],
      [
        "POST",
        `/api/v1/boards/${b.id}/tasks`,
        { cardId: todo.id, title: "Dated", dueDate: "tomorrow" },
        ["body.dueDate"],
      ],
      ["POST", "/api/v1/boards/not-a-uuid/tasks", { cardId: todo.id, title: "Valid" }, ["params.boardId"]],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await call("alice", method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const got = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(got), `${method} ${path}`).toEqual(new Set(fields));
    }
    expect((await call("alice", "GET", "/api/v1/tasks?pageSize=1000")).body.errors).toEqual([
      expect.objectContaining({ field: "query.pageSize" }),
    ]);
    expect((await call("alice", "POST", `/api/v1/tasks/${randomUUID()}/comments`, { body: "" })).status).toBe(400);
    const past = await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, {
      cardId: todo.id,
      title: "Too late",
      dueDate: "2001-01-01T00:00:00Z",
    });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([{ field: "body.dueDate", message: "must not be in the past" }]);
    expect(await eventCount()).toBe(before);
  });
});
